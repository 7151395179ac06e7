/**
 * E-mail on SES: sending (a domain identity and a configuration set named per stage, with the reputation
 * alarms) and receiving (a receipt rule set storing raw mail in an encrypted private bucket, each
 * receiving function notified for its own prefix).
 *
 * Not done by CloudFormation, once per account and region (README, "On AWS"): the DKIM records of the
 * identity, activating the receipt rule set (only one is active per region), the MX record of the reply
 * domain, and leaving the SES sandbox.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { AftercareFunction } from './aftercare-function.ts';
import { FailedInvocations } from './failed-invocations.ts';

/** Properties of {@link MailSender}. */
export interface MailSenderProps {
  /** Sending domain (e.g. `aftercare.example`); mail comes from `service@<domain>`. */
  readonly mailDomain: string;
  /** The domain's identity exists and is verified already: use it instead of creating it. */
  readonly importIdentity: boolean;
  /** Name of the configuration set, unique in the account and region (`aftercare-<stage>`). */
  readonly configurationSetName: string;
}

/**
 * What sending needs: the domain identity (created, or an existing one imported), the stage's named
 * configuration set every message is sent with (the mailer names it on each send, so an imported
 * identity without it as default is handled alike), and alarms on the bounce and complaint rates SES
 * reviews an account on. Everything is named, so other stacks refer to it by name, not by export.
 */
export class MailSender extends Construct {
  readonly mailDomain: string;
  readonly identityArn: string;
  readonly configurationSetName: string;
  readonly configurationSetArn: string;
  /** The address every message is sent from (the `ses:FromAddress` of the send grant). */
  readonly fromAddress: string;
  /** `From` header value: display name and {@link fromAddress}. */
  readonly mailFrom: string;
  readonly bounceRateAlarm: cloudwatch.Alarm;
  readonly complaintRateAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MailSenderProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.mailDomain = props.mailDomain;
    this.fromAddress = `service@${props.mailDomain}`;
    this.mailFrom = `Aftercare Customer Service <${this.fromAddress}>`;
    this.configurationSetName = props.configurationSetName;

    const configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: props.configurationSetName,
    });
    this.identityArn = stack.formatArn({
      service: 'ses',
      resource: 'identity',
      resourceName: props.mailDomain,
    });
    if (!props.importIdentity) {
      const identity = new ses.EmailIdentity(this, 'Identity', {
        identity: ses.Identity.domain(props.mailDomain),
        configurationSet,
      });
      identity.dkimRecords.forEach((record, i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: `DKIM record ${i + 1} of ${props.mailDomain}: publish it once in the domain's DNS`,
        });
      });
    }

    // Account-wide rates: what SES puts an account under review for (bounces 5 %, complaints 0.1 %).
    const rateAlarm = (alarmId: string, metricName: string, threshold: number, what: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        period: Duration.hours(1),
        statistic: 'Maximum',
      }).createAlarm(this, alarmId, {
        alarmDescription: `SES ${what} rate near the level SES reviews the account at: sending of ${props.mailDomain} is at risk`,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.bounceRateAlarm = rateAlarm('BounceRateAlarm', 'Reputation.BounceRate', 0.04, 'bounce');
    this.complaintRateAlarm = rateAlarm(
      'ComplaintRateAlarm',
      'Reputation.ComplaintRate',
      0.0008,
      'complaint',
    );
  }
}

/** Properties of {@link Mail}. */
export interface MailProps {
  /** Receiving domain (its MX points at SES inbound), e.g. `reply.aftercare.example`. */
  readonly replyDomain: string;
}

/** SES receiving of one stage: the receipt rule set and the bucket it stores raw mail in. */
export class Mail extends Construct {
  readonly replyDomain: string;
  readonly inboundBucket: s3.Bucket;
  readonly receiptRuleSet: ses.ReceiptRuleSet;
  private inbound?: InboundMail;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.replyDomain = props.replyDomain;

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
    const ruleName = `receive-${receiver.functionId}`;
    const ruleArn = Stack.of(this).formatArn({
      service: 'ses',
      resource: 'receipt-rule-set',
      resourceName: `${mail.receiptRuleSet.receiptRuleSetName}:receipt-rule/${ruleName}`,
    });
    mail.receiptRuleSet.addRule(`Receive-${receiver.functionId}`, {
      receiptRuleName: ruleName,
      recipients: [mail.replyDomain],
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [new StoreInBucket(mail.inboundBucket, prefix, ruleArn)],
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

/**
 * SES receipt action storing the message under `prefix`, like `aws-ses-actions`' S3 action, but SES may
 * write only on behalf of this one receipt rule (`aws:SourceArn`), not of any rule in the account.
 */
class StoreInBucket implements ses.IReceiptRuleAction {
  constructor(
    private readonly bucket: s3.Bucket,
    private readonly prefix: string,
    private readonly ruleArn: string,
  ) {}

  bind(rule: ses.IReceiptRuleRef): ses.ReceiptRuleActionConfig {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [new iam.ServicePrincipal('ses.amazonaws.com')],
        resources: [this.bucket.arnForObjects(`${this.prefix}*`)],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this.bucket).account, 'aws:SourceArn': this.ruleArn },
        },
      }),
    );
    // SES checks that it may write when the rule is created.
    if (this.bucket.policy) rule.node.addDependency(this.bucket.policy);
    return { s3Action: { bucketName: this.bucket.bucketName, objectKeyPrefix: this.prefix } };
  }
}
