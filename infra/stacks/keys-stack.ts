import { RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * The HMAC key of survey links and reply addresses (`shared/surveys/token.ts`): retained, apart from
 * compute, because replacing it would break every link in customers' mailboxes.
 */
export class SurveyKeysStack extends Stack {
  readonly tokenSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.tokenSecret = new secretsmanager.Secret(this, 'SurveyTokenSecret', {
      description: 'Aftercare: HMAC key that signs survey links and reply addresses',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the survey link key invalidates every card sent in the last 14 days; it is rotated by hand between survey waves (functions/surveys/README.md)',
    });
  }
}
