/** {@link SecondFactors} on the Cognito user pool: one AdminGetUser per staff sign-in or refresh. */
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { hasTotp } from './second-factor.ts';
import type { SecondFactors } from './tokens.ts';

export function cognitoSecondFactors(
  client: CognitoIdentityProviderClient = new CognitoIdentityProviderClient({}),
): SecondFactors {
  return {
    async enrolled(userPoolId, userName) {
      const user = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: userName }));
      return hasTotp(user);
    },
  };
}
