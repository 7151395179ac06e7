/**
 * The claims of the tokens the user pool issues, decided at token generation (Cognito's pre token
 * generation trigger, event version 2): staff groups are withheld from staff without a second factor.
 */
import * as z from 'zod/mini';
import { lazySchema } from '../validation.ts';
import { groupsToIssue, needsSecondFactor } from './second-factor.ts';

/** The parts of Cognito's pre token generation event (V2) the decision reads; the rest passes through. */
export const preTokenGenerationEvent = lazySchema(() =>
  z.looseObject({
    version: z.string(),
    /** e.g. `TokenGeneration_Authentication`, `TokenGeneration_RefreshTokens`. */
    triggerSource: z.string(),
    userPoolId: z.string().check(z.minLength(1)),
    /** The user's name in the pool (what AdminGetUser takes). */
    userName: z.string().check(z.minLength(1)),
    request: z.looseObject({
      groupConfiguration: z.looseObject({ groupsToOverride: z.optional(z.array(z.string())) }),
    }),
    response: z.optional(z.nullable(z.looseObject({}))),
  }),
);
export type PreTokenGenerationEvent = z.infer<typeof preTokenGenerationEvent>;

/** The event with Cognito's answer: `groupOverrideDetails` replaces `cognito:groups` in both tokens. */
export type PreTokenGenerationResult = PreTokenGenerationEvent & {
  response: {
    claimsAndScopeOverrideDetails: { groupOverrideDetails?: { groupsToOverride: string[] } };
  };
};

/** Port: whether a user of the pool has enrolled a second factor. */
export interface SecondFactors {
  enrolled(userPoolId: string, userName: string): Promise<boolean>;
}

/**
 * Answers a pre token generation event: unchanged claims for customers (not looked up) and for staff
 * with a second factor; for staff without one, the user's groups minus every staff group. A failed
 * lookup throws, so Cognito issues no token at all rather than one with staff groups.
 */
export async function shapeTokens(
  event: PreTokenGenerationEvent,
  secondFactors: SecondFactors,
): Promise<PreTokenGenerationResult> {
  const groups = event.request.groupConfiguration.groupsToOverride ?? [];
  const enrolled = needsSecondFactor(groups)
    ? await secondFactors.enrolled(event.userPoolId, event.userName)
    : true;
  const issued = groupsToIssue(groups, enrolled);
  const claimsAndScopeOverrideDetails =
    issued.length < groups.length ? { groupOverrideDetails: { groupsToOverride: issued } } : {};
  return { ...event, response: { claimsAndScopeOverrideDetails } };
}
