/**
 * Surveys on AWS (SPEC §7): the morning run on a schedule in the branch's time zone, SES sending
 * (domain identity, configuration set) and receiving (receipt rule → encrypted private bucket →
 * inbound function), and the key that signs survey links.
 *
 * The key lives in a small stack of its own ({@link SurveyKeysStack}) because both the API stack (the
 * public survey page) and {@link SurveyStack} (which needs the API's URL for the links) use it.
 *
 * Not done by CloudFormation, once per account and region (see functions/surveys/README.md):
 * activating the receipt rule set (only one is active per region), the MX record of the reply domain,
 * the DKIM records of the identity, and leaving the SES sandbox.
 */
import {
  type CfnElement,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import type { Construct } from 'constructs';
import type { HttpFunctionId } from '../../functions/catalog.ts';
import { type SurveyJobEnv, surveyJobEnvSchema } from '../../shared/config/env.ts';
import { AftercareFunction } from '../constructs/aftercare-function.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { grantTableReadWrite } from '../constructs/table-access.ts';

/** Where SES puts survey replies in the inbound bucket; the inbound function reads only there. */
export const SURVEY_REPLY_PREFIX = 'survey-replies/';

/** The HMAC key of survey links (`shared/surveys/token.ts`). */
export class SurveyKeysStack extends Stack {
  readonly tokenSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.tokenSecret = new secretsmanager.Secret(this, 'SurveyTokenSecret', {
      description: 'Aftercare: HMAC key that signs survey links and reply addresses',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Replacing the key would break every link in customers' mailboxes.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the survey link key invalidates every card sent in the last 14 days; it is rotated by hand between survey waves (functions/surveys/README.md)',
    });
  }
}

/** Properties of {@link SurveyStack}. */
export interface SurveyStackProps extends StackProps {
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  /** The API stack's functions and stage: the public survey page runs there, links point there. */
  readonly api: {
    readonly functions: Record<HttpFunctionId, AftercareFunction>;
    readonly stage: apigwv2.HttpStage;
  };
  readonly tokenSecret: secretsmanager.ISecret;
  /** Branch time zone: the morning run's clock, service days and months. */
  readonly timeZone: string;
  readonly serviceName: string;
  /** Sending domain, verified in SES (e.g. `aftercare.example`); cards come from `service@<domain>`. */
  readonly mailDomain: string;
  /** Receiving domain of `survey+<token>@…` (its MX points at SES inbound). @default `reply.<mailDomain>` */
  readonly replyDomain?: string;
  /** Base URL of the links in the cards. @default the API stage URL */
  readonly publicBaseUrl?: string;
  /** Local hour of the morning run. @default 9 */
  readonly morningHour?: number;
}

/**
 * The survey machinery: morning run (EventBridge Scheduler, recurring, with the branch time zone, so
 * "9:00" stays 9:00 local whatever the offset), SES identity and configuration set, the receipt rule
 * storing replies in S3 and the inbound function S3 notifies. Every function gets exactly the grants
 * its code uses.
 */
export class SurveyStack extends Stack {
  readonly dispatch: AftercareFunction;
  readonly inbound: AftercareFunction;
  readonly inboundBucket: s3.Bucket;
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity;
  readonly receiptRuleSet: ses.ReceiptRuleSet;
  readonly morningRun: scheduler.Schedule;
  /** Morning runs and replies that failed after retries (for the ops dashboard and alarms). */
  readonly deadLetterQueues: DeadLetterQueue[];

  constructor(scope: Construct, id: string, props: SurveyStackProps) {
    super(scope, id, props);
    const replyDomain = props.replyDomain ?? `reply.${props.mailDomain}`;
    const fromAddress = `service@${props.mailDomain}`;

    // Sending.
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

    // Receiving: raw replies, private and encrypted, kept a year beyond the 14-day answer window.
    this.inboundBucket = new s3.Bucket(this, 'InboundMail', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [
        { id: 'expire-replies', prefix: SURVEY_REPLY_PREFIX, expiration: Duration.days(400) },
        { id: 'abort-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.inboundBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only SES writes here (receipt rule) and only the inbound function reads; both are logged (CloudTrail, function logs), and each reply is recorded in the table',
    });
    this.receiptRuleSet = new ses.ReceiptRuleSet(this, 'ReceiptRules', {});
    this.receiptRuleSet.addRule('SurveyReplies', {
      recipients: [replyDomain],
      scanEnabled: true,
      tlsPolicy: ses.TlsPolicy.REQUIRE,
      actions: [new sesActions.S3({ bucket: this.inboundBucket, objectKeyPrefix: SURVEY_REPLY_PREFIX })],
    });

    const environment: SurveyJobEnv = {
      TABLE_NAME: props.table.tableName,
      TIME_ZONE: props.timeZone,
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      // A dynamic reference resolved by CloudFormation at deploy time; never in the template as text.
      SURVEY_TOKEN_SECRET: props.tokenSecret.secretValue.unsafeUnwrap(),
      PUBLIC_BASE_URL: props.publicBaseUrl ?? props.api.stage.url,
      MAIL_FROM: `Aftercare Customer Service <${fromAddress}>`,
      SURVEY_REPLY_DOMAIN: replyDomain,
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
    };
    // The public page verifies the links it is opened with: same key.
    props.api.functions['survey-page'].function.addEnvironment(
      'SURVEY_TOKEN_SECRET',
      props.tokenSecret.secretValue.unsafeUnwrap(),
    );

    // The morning run.
    this.dispatch = new AftercareFunction(this, 'Dispatch', {
      functionId: 'survey-dispatch',
      envSchema: surveyJobEnvSchema,
      environment,
      timeout: Duration.minutes(5),
    });
    grantTableReadWrite(props.table, this.dispatch.function);
    this.dispatch.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.identity.emailIdentityArn,
          this.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
        conditions: { StringEquals: { 'ses:FromAddress': fromAddress } },
      }),
    );
    const failedRuns = new DeadLetterQueue(this, 'FailedMorningRuns', {
      purpose: 'the morning survey run failed after retries',
    });
    const schedulerRole = new iam.Role(this, 'MorningRunRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler invokes the morning survey run',
    });
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.dispatch.function.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'lambda:InvokeFunction on the versions and aliases of the one morning-run function (how the Scheduler target grants it)',
    });
    this.morningRun = new scheduler.Schedule(this, 'MorningRun', {
      description: 'Aftercare: survey cards for yesterday, phone follow-ups and reminders',
      schedule: scheduler.ScheduleExpression.cron({
        minute: '0',
        hour: String(props.morningHour ?? 9),
        timeZone: TimeZone.of(props.timeZone),
      }),
      target: new schedulerTargets.LambdaInvoke(this.dispatch.function, {
        role: schedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({}),
        deadLetterQueue: failedRuns.queue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(2),
      }),
    });

    // Replies.
    this.inbound = new AftercareFunction(this, 'Inbound', {
      functionId: 'survey-inbound',
      envSchema: surveyJobEnvSchema,
      environment,
      timeout: Duration.seconds(60),
    });
    grantTableReadWrite(props.table, this.inbound.function);
    // Its own policy, so the acknowledgement of the object wildcard covers nothing else.
    const readReplies = new iam.Policy(this, 'InboundReadReplies', {
      statements: [
        new iam.PolicyStatement({
          actions: ['s3:GetObject'],
          resources: [this.inboundBucket.arnForObjects(`${SURVEY_REPLY_PREFIX}*`)],
        }),
      ],
    });
    readReplies.attachToRole(this.inbound.role);
    Validations.of(readReplies).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.inboundBucket.node.defaultChild as CfnElement)}.Arn>/${SURVEY_REPLY_PREFIX}*]`,
      reason:
        'SES names each reply object by its message id; the function reads any object under the replies prefix, nothing else',
    });
    const failedReplies = new DeadLetterQueue(this, 'FailedReplies', {
      purpose: 'a survey reply could not be handled after retries',
    });
    this.inbound.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(failedReplies.queue),
    });
    this.deadLetterQueues = [failedRuns, failedReplies];
    this.inboundBucket.addEventNotification(
      s3.EventType.OBJECT_CREATED,
      new s3n.LambdaDestination(this.inbound.function),
      {
        prefix: SURVEY_REPLY_PREFIX,
      },
    );

    // The S3 notification is configured by CDK's own singleton custom resource.
    const notificationsHandler = this.node.children.find((c) =>
      c.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "CDK's bucket-notifications custom resource (deploy time only) comes with this role; it writes only its own logs",
      });
    }

    new CfnOutput(this, 'ReceiptRuleSetName', {
      value: this.receiptRuleSet.receiptRuleSetName,
      description: 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
    });
    new CfnOutput(this, 'InboundBucketName', { value: this.inboundBucket.bucketName });
  }
}
