/**
 * E-mail on SES: sending (domain identity, configuration set) and receiving (a receipt rule set storing
 * raw mail in an encrypted private bucket, each receiving function notified for its own prefix).
 *
 * Not done by CloudFormation, once per account and region (see functions/surveys/README.md): activating
 * the receipt rule set (only one is active per region), the MX record of the reply domain, the DKIM
 * records of the identity, and leaving the SES sandbox.
 */
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import { Construct } from 'constructs';
import type { AftercareFunction } from './aftercare-function.ts';
import { FailedInvocations } from './failed-invocations.ts';

/** Properties of {@link Mail}. */
export interface MailProps {
  /** Sending domain, verified in SES (e.g. `aftercare.example`); mail comes from `service@<domain>`. */
  readonly mailDomain: string;
  /** Receiving domain (its MX points at SES inbound), e.g. `reply.aftercare.example`. */
  readonly replyDomain: string;
}

/** SES sending and receiving of one stage. */
export class Mail extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity;
  /** The address every message is sent from (the `ses:FromAddress` of the send grant). */
  readonly fromAddress: string;
  /** `From` header value: display name and {@link fromAddress}. */
  readonly mailFrom: string;
  readonly replyDomain: string;
  readonly inboundBucket: s3.Bucket;
  readonly receiptRuleSet: ses.ReceiptRuleSet;
  private inbound?: InboundMail;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.fromAddress = `service@${props.mailDomain}`;
    this.mailFrom = `Aftercare Customer Service <${this.fromAddress}>`;
    this.replyDomain = props.replyDomain;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(props.mailDomain),
      configurationSet: this.configurationSet,
    });

    // Raw mail, private and encrypted; each receiver's prefix gets its own expiry.
    this.inboundBucket = new s3.Bucket(this, 'InboundMail', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'abort-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.inboundBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only SES writes here (receipt rule) and only the receiving functions read; both are logged (CloudTrail, function logs), and each message is recorded in the table',
    });
    this.receiptRuleSet = new ses.ReceiptRuleSet(this, 'ReceiptRules', {});
  }

  /** ARN of the configuration set (SES authorizes sending against it as well as the identity). */
  get configurationSetArn(): string {
    return Stack.of(this).formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
  }

  /** Stores mail to the reply domain under `prefix` and hands each message to `receiver`. */
  receiveInto(prefix: string, receiver: AftercareFunction): InboundMail {
    const other = this.inbound;
    if (other) {
      // Every receipt rule of the set matches the one reply domain: a second one would get copies.
      throw new Error(
        `${receiver.functionId} and ${other.receiver.functionId} both receive mail for ${this.replyDomain}; give each its own recipient first`,
      );
    }
    this.inbound = new InboundMail(this, `Inbound-${receiver.functionId}`, { mail: this, prefix, receiver });
    return this.inbound;
  }
}

/** Properties of {@link InboundMail}. */
export interface InboundMailProps {
  readonly mail: Mail;
  /** Key prefix of the stored messages, e.g. `survey-replies/`. */
  readonly prefix: string;
  readonly receiver: AftercareFunction;
  /** How long raw messages are kept. @default 400 days */
  readonly retention?: Duration;
}

/**
 * One receiving route: receipt rule → `prefix` in the inbound bucket → S3 notification (asynchronous)
 * → the receiver, with an on-failure destination for the messages it failed after Lambda's retries.
 */
export class InboundMail extends Construct {
  readonly receiver: AftercareFunction;
  readonly failedInvocations: FailedInvocations;

  constructor(scope: Construct, id: string, props: InboundMailProps) {
    super(scope, id);
    const { mail, prefix, receiver } = props;
    this.receiver = receiver;
    mail.inboundBucket.addLifecycleRule({
      id: `expire-${prefix.replace(/\W+/g, '-').replace(/-$/, '')}`,
      prefix,
      expiration: props.retention ?? Duration.days(400),
    });
    mail.receiptRuleSet.addRule(`Receive-${receiver.functionId}`, {
      recipients: [mail.replyDomain],
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [new sesActions.S3({ bucket: mail.inboundBucket, objectKeyPrefix: prefix })],
    });
    this.failedInvocations = new FailedInvocations(this, 'FailedInvocations', {
      target: receiver,
      invoker: `S3 notifications of ${prefix}`,
    });
    mail.inboundBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(receiver.function),
      { prefix },
    );

    // S3 notifications are configured by CDK's own singleton custom resource, a child of the stack.
    const stack = Stack.of(this);
    const handler = stack.node.children.find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (handler) {
      Validations.of(handler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications custom resource (deploy time only) comes with this role; it writes only its own logs",
      });
    }
  }
}
