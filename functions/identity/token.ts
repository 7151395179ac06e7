/**
 * Cognito's pre token generation trigger (V2): tokens of staff who have not enrolled TOTP carry none of
 * their staff groups, so the API answers 403 on staff routes until they enrol. A failure throws, and
 * Cognito then issues no token (the sign-in or refresh fails) rather than one with staff groups.
 */
import { cognitoSecondFactors } from '../../shared/identity/cognito.ts';
import { preTokenGenerationEvent, type SecondFactors, shapeTokens } from '../../shared/identity/tokens.ts';
import { jobHandler } from '../../shared/runtime/job-bundle.ts';
import { identity } from './catalog.ts';

let secondFactors: SecondFactors | undefined;

export const handler = jobHandler(
  identity,
  'identity-token',
  preTokenGenerationEvent,
  async (event) => {
    secondFactors ??= cognitoSecondFactors();
    return shapeTokens(event, secondFactors);
  },
  {
    // The event carries the user's attributes (e-mail, name): only the decision is logged.
    logged: (result) => ({
      userName: result.userName,
      triggerSource: result.triggerSource,
      groupsIssued:
        result.response.claimsAndScopeOverrideDetails.groupOverrideDetails?.groupsToOverride ?? 'unchanged',
    }),
  },
);
