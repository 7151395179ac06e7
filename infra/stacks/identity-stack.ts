import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type FunctionId, functionsTriggeredBy } from '../../functions/catalog.ts';
import { roles } from '../../shared/auth/actor.ts';
import { AftercareFunction } from '../constructs/aftercare-function.ts';
import { FunctionAccess } from '../constructs/function-access.ts';
import type { MailSender } from '../constructs/mail.ts';
import { baseBindings } from './bindings.ts';

/** Properties of {@link IdentityStack}. */
export interface IdentityStackProps extends StackProps {
  /** The stage's verified sending domain and configuration set: Cognito mails through them. */
  readonly mail: MailSender;
  readonly serviceName: string;
  /** The stage's default timezone (`TIME_ZONE`, which every function has). */
  readonly timeZone: string;
}

/**
 * The trigger kind of the catalogue functions this stack deploys, with the pool they serve: the pool
 * names its trigger, so deploying them with the API would make the Service and Identity stacks refer to
 * each other.
 */
export const IDENTITY_STACK_TRIGGER = 'identity-token';

const role = (r: string) => r.replace(/_/g, ' ');

/**
 * Who may call the API: the Cognito user pool with one group per role, the app client, and the pool's
 * pre token generation trigger from the catalogue (staff without a second factor get tokens without their
 * staff groups). Identities of customers and staff are data, so they live apart from compute, retained
 * and protected from deletion.
 * Invitations, codes and password resets go out through SES with the stage's verified domain (Cognito's
 * own sender allows 50 mails a day).
 */
export class IdentityStack extends Stack {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  /** The pool's trigger functions (catalogue kind {@link IDENTITY_STACK_TRIGGER}), by id. */
  readonly functions: Partial<Record<FunctionId, AftercareFunction>> = {};

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { mail } = props;
    this.addStackDependency(Stack.of(mail) as Stack, 'Cognito sends through the verified mail domain');
    this.userPool = new cognito.UserPool(this, 'Users', {
      // Staff and customers are registered by the service company (agents, managers), never by themselves.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      email: cognito.UserPoolEmail.withSES({
        fromEmail: `no-reply@${mail.mailDomain}`,
        fromName: 'Aftercare',
        sesVerifiedDomain: mail.mailDomain,
        sesRegion: this.region,
        configurationSetName: mail.configurationSetName,
      }),
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool.node.defaultChild as cognito.CfnUserPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'Cognito sets MFA per pool, not per group: TOTP is optional so customers need no authenticator app; staff without TOTP get tokens without staff groups (pre token generation trigger, functions/identity); threat protection is enforced',
    });
    this.addTokenTriggers(props);
    for (const r of roles) {
      // The group name is the role name the handlers read from `cognito:groups` (shared/auth/actor.ts).
      this.userPool.addGroup(`Group-${r}`, { groupName: r, description: `Aftercare role: ${role(r)}` });
    }
    this.userPoolClient = this.userPool.addClient('AppClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }

  /** Deploys the catalogue's pre token generation function and attaches it to the pool (event V2). */
  private addTokenTriggers(props: IdentityStackProps): void {
    const triggers = functionsTriggeredBy(IDENTITY_STACK_TRIGGER);
    if (triggers.length > 1)
      throw new Error(
        `a user pool has one pre token generation trigger: ${triggers.map(([id]) => id).join(', ')}`,
      );
    const bindings = baseBindings(props);
    for (const [functionId, spec] of triggers) {
      const scope = new Construct(this, spec.domain);
      const fn = new AftercareFunction(scope, functionId, { functionId, spec, bindings });
      // V2: the answer shapes the access token too (the API may be called with either); needs Essentials or Plus.
      this.userPool.addTrigger(
        cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
        fn.function,
        cognito.LambdaVersion.V2_0,
      );
      new FunctionAccess(fn, 'Access', { users: this.userPool });
      this.functions[functionId] = fn;
    }
  }
}
