/**
 * The user pool's own functions: deployed with the pool (Identity stack) and attached as its triggers,
 * never behind the API. Staff MFA: tokens of staff without a second factor carry no staff group.
 */
import { envSchema } from '../../shared/config/env.ts';
import { domainModule } from '../spec.ts';

export const identity = domainModule(
  'identity',
  {
    'identity-token': {
      entry: 'functions/identity/token.ts',
      description: 'Withholds staff groups from the tokens of staff without a second factor',
      env: envSchema(),
      trigger: { kind: 'identity-token' },
      access: { users: 'read-mfa' },
      // Cognito waits 5 seconds for a trigger, then fails the sign-in.
      timeoutSeconds: 5,
    },
  },
  {},
);
