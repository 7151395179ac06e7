/**
 * Staff MFA: the rule deciding which groups a user's tokens carry, and the pre token generation trigger
 * applying it, with Cognito mocked at the SDK edge (there is no local Cognito).
 */
import {
  type AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../infra/local/lambda-context.ts';
import { roles } from '../../shared/auth/actor.ts';
import {
  groupsToIssue,
  hasTotp,
  needsSecondFactor,
  rolesRequiringSecondFactor,
} from '../../shared/identity/second-factor.ts';

beforeAll(() => {
  process.env.POWERTOOLS_SERVICE_NAME = 'aftercare';
  process.env.TIME_ZONE = 'Asia/Shanghai';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.AWS_REGION = 'eu-west-1';
});
afterEach(() => vi.restoreAllMocks());

const staff = ['agent', 'dispatcher', 'technician', 'parts_clerk', 'manager', 'ops'];

describe('which groups a token carries', () => {
  it('requires a second factor of every role but customer', () => {
    expect([...rolesRequiringSecondFactor].sort()).toEqual([...staff].sort());
    expect(roles.filter((r) => !rolesRequiringSecondFactor.includes(r))).toEqual(['customer']);
  });

  it.each(staff)('withholds %s from a user without TOTP', (group) => {
    expect(groupsToIssue([group], false)).toEqual([]);
    expect(needsSecondFactor([group])).toBe(true);
  });

  it('withholds every staff group of a user without TOTP', () => {
    expect(groupsToIssue(['dispatcher', 'manager'], false)).toEqual([]);
  });

  it('keeps the groups of staff with TOTP enrolled', () => {
    expect(groupsToIssue(['dispatcher', 'manager'], true)).toEqual(['dispatcher', 'manager']);
  });

  it('keeps customer for a customer, with or without TOTP, and never needs to look them up', () => {
    expect(groupsToIssue(['customer'], false)).toEqual(['customer']);
    expect(groupsToIssue(['customer'], true)).toEqual(['customer']);
    expect(needsSecondFactor(['customer'])).toBe(false);
    expect(needsSecondFactor([])).toBe(false);
  });

  it('keeps only customer for a user in customer and staff groups without TOTP', () => {
    expect(groupsToIssue(['customer', 'technician', 'agent'], false)).toEqual(['customer']);
  });

  it.each([
    [{ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'] }, true],
    [{ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' }, true],
    [{ PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' }, true],
    [{ UserMFASettingList: ['SMS_MFA'], PreferredMfaSetting: 'SMS_MFA' }, false],
    [{ UserMFASettingList: [] }, false],
    [{}, false],
  ])('reads TOTP from AdminGetUser %j as %s', (settings, expected) => {
    expect(hasTotp(settings)).toBe(expected);
  });
});

/** A pre token generation event (V2) as Cognito sends it at sign-in. */
function tokenEvent(groups: string[], triggerSource = 'TokenGeneration_Authentication') {
  return {
    version: '2',
    triggerSource,
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_Pool',
    userName: 'user-1',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'app-client' },
    request: {
      userAttributes: { sub: 'user-1', email: 'user@aftercare.example' },
      groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [], preferredRole: null },
      scopes: ['aws.cognito.signin.user.admin'],
    },
    response: { claimsAndScopeOverrideDetails: null },
  };
}

describe('pre token generation trigger', () => {
  const mfa = (settings: Record<string, unknown>) =>
    vi.spyOn(CognitoIdentityProviderClient.prototype, 'send').mockResolvedValue(settings as never);

  it('issues the tokens of staff without TOTP without their staff groups, after asking Cognito', async () => {
    // Prepare
    const send = mfa({ Username: 'user-1', UserMFASettingList: [] });
    const { handler } = await import('../../functions/identity/token.ts');

    // Act
    const result = await handler(tokenEvent(['customer', 'dispatcher']), lambdaContext('identity-token'));

    // Assess
    expect(result.response).toEqual({
      claimsAndScopeOverrideDetails: { groupOverrideDetails: { groupsToOverride: ['customer'] } },
    });
    expect(send).toHaveBeenCalledTimes(1);
    const command = send.mock.calls[0]?.[0] as AdminGetUserCommand | undefined;
    expect(command?.input).toEqual({
      UserPoolId: 'eu-west-1_Pool',
      Username: 'user-1',
    });
  });

  it('withholds the groups again when refreshing tokens, so a stale session gains nothing', async () => {
    // Prepare
    mfa({ UserMFASettingList: [] });
    const { handler } = await import('../../functions/identity/token.ts');

    // Act
    const result = await handler(
      tokenEvent(['manager'], 'TokenGeneration_RefreshTokens'),
      lambdaContext('identity-token'),
    );

    // Assess: an empty list replaces the groups claim
    expect(result.response.claimsAndScopeOverrideDetails).toEqual({
      groupOverrideDetails: { groupsToOverride: [] },
    });
  });

  it('leaves the tokens of staff with TOTP unchanged, and passes the rest of the event back', async () => {
    // Prepare
    mfa({ UserMFASettingList: ['SOFTWARE_TOKEN_MFA'], PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA' });
    const { handler } = await import('../../functions/identity/token.ts');
    const event = tokenEvent(['agent', 'dispatcher']);

    // Act
    const result = await handler(event, lambdaContext('identity-token'));

    // Assess
    expect(result).toEqual({ ...event, response: { claimsAndScopeOverrideDetails: {} } });
  });

  it('leaves customers untouched without asking Cognito', async () => {
    // Prepare
    const send = mfa({});
    const { handler } = await import('../../functions/identity/token.ts');

    // Act
    const result = await handler(tokenEvent(['customer']), lambdaContext('identity-token'));

    // Assess
    expect(result.response).toEqual({ claimsAndScopeOverrideDetails: {} });
    expect(send).not.toHaveBeenCalled();
  });

  it('fails the token generation when Cognito cannot say, rather than issue staff groups', async () => {
    // Prepare
    vi.spyOn(CognitoIdentityProviderClient.prototype, 'send').mockRejectedValue(
      new Error('TooManyRequestsException') as never,
    );
    const { handler } = await import('../../functions/identity/token.ts');

    // Act
    const run = handler(tokenEvent(['technician']), lambdaContext('identity-token'));

    // Assess
    await expect(run).rejects.toThrow('TooManyRequestsException');
  });
});
