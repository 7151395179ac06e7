/**
 * Staff must sign in with a second factor; customers need not. Cognito sets MFA per pool, not per group,
 * so the pool keeps TOTP optional and the tokens of staff who have not enrolled one carry none of their
 * staff groups: the API then refuses them every staff route (403) until they enrol. Pure rules here; the
 * pre token generation trigger (`functions/identity/token.ts`) applies them.
 */
import { type Role, roles } from '../auth/actor.ts';

/**
 * Roles whose tokens require an enrolled second factor: every role but `customer`, so a role added later
 * is protected unless it is explicitly exempted here.
 */
export const rolesRequiringSecondFactor: readonly Role[] = roles.filter((r) => r !== 'customer');

const requiresSecondFactor = (group: string) =>
  (rolesRequiringSecondFactor as readonly string[]).includes(group);

/** Whether any of the user's groups makes the second factor matter (customers are never looked up). */
export const needsSecondFactor = (groups: readonly string[]): boolean => groups.some(requiresSecondFactor);

/**
 * The groups the user's tokens may carry: all of them with a second factor enrolled; without one, only
 * those that do not require it (a customer who is also staff keeps `customer`).
 */
export function groupsToIssue(groups: readonly string[], secondFactorEnrolled: boolean): string[] {
  return secondFactorEnrolled ? [...groups] : groups.filter((g) => !requiresSecondFactor(g));
}

/** What Cognito's AdminGetUser tells about a user's second factors. */
export interface MfaSettings {
  /** The MFA methods the user has enabled, e.g. `SOFTWARE_TOKEN_MFA`. */
  UserMFASettingList?: readonly string[] | undefined;
  PreferredMfaSetting?: string | undefined;
}

/** TOTP (an authenticator app) is the pool's only second factor; it counts once it is enabled. */
export const hasTotp = (settings: MfaSettings): boolean =>
  settings.UserMFASettingList?.includes('SOFTWARE_TOKEN_MFA') === true ||
  settings.PreferredMfaSetting === 'SOFTWARE_TOKEN_MFA';
