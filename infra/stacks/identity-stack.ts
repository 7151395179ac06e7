import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { roles } from '../../shared/auth/actor.ts';
import type { MailSender } from '../constructs/mail.ts';

/** Properties of {@link IdentityStack}. */
export interface IdentityStackProps extends StackProps {
  /** The stage's verified sending domain and configuration set: Cognito mails through them. */
  readonly mail: MailSender;
}

const role = (r: string) => r.replace(/_/g, ' ');

/**
 * Who may call the API: the Cognito user pool with one group per role and the app client. Identities of
 * customers and staff are data, so they live apart from compute, retained and protected from deletion.
 * Invitations, codes and password resets go out through SES with the stage's verified domain (Cognito's
 * own sender allows 50 mails a day).
 */
export class IdentityStack extends Stack {
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;

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
        'Cognito sets MFA per pool, not per group: TOTP is optional so customers need no authenticator app; staff enforcement is the pre-token-generation check of README On AWS (not built yet); threat protection is enforced',
    });
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
}
