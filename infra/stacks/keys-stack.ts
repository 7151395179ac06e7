import { RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/**
 * The HMAC key of survey links and reply addresses (`shared/surveys/token.ts`): retained, apart from
 * compute, because deleting it would break every link in customers' mailboxes. Functions read it at run
 * time by ARN (current and previous version), so it can be rotated without breaking links.
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
        'Rotated by hand with put-secret-value at most once per 14-day link lifetime (README On AWS): functions verify with AWSCURRENT and AWSPREVIOUS, so a rotation breaks no link',
    });
  }
}
