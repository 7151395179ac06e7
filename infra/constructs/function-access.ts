/**
 * A function's permissions, from its spec's `access` and nothing else: every kind of access maps to
 * exactly one set of grants here, so a function declared with `mail: 'send'` can send mail and one
 * declared without cannot. A new kind of access in `functions/spec.ts` fails the type check until it is
 * mapped below.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Access } from '../../functions/spec.ts';
import type { AftercareFunction } from './aftercare-function.ts';
import { grantTableRead, grantTableReadWrite } from './table-access.ts';

/** The resources access is granted on. */
export interface AccessTargets {
  readonly table: dynamodb.ITableV2;
  readonly bus: events.IEventBus;
  /** The SLA timers: their schedule group and the role their schedules hand to Scheduler. */
  readonly timers: { readonly scheduleGroupName: string; readonly schedulerRole: iam.IRole };
  readonly mail: {
    readonly identityArn: string;
    readonly configurationSetArn: string;
    /** Sending is only allowed from this address. */
    readonly fromAddress: string;
    readonly inboundBucket: s3.IBucket;
  };
  /** The survey link key. */
  readonly surveyKey: secretsmanager.ISecret;
  /** The user pool. */
  readonly users: cognito.IUserPool;
  /** The catalogue's workflows by name (their state machines). */
  readonly workflows: (name: string) => sfn.IStateMachine;
}

/** Step Functions actions per `workflow` permission. */
export const WORKFLOW_ACTIONS = {
  start: ['states:StartExecution'],
  respond: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
} as const;

/** How cdk-nag names a resource in a finding: the ARN itself, or with `<AWS::…>` for unresolved parts. */
function nagResource(stack: Stack, arn: string): string {
  const resolved = stack.resolve(arn) as string | { 'Fn::Join': [string, unknown[]] };
  if (typeof resolved === 'string') return resolved;
  return resolved['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
    .join('');
}

/** Scheduler actions per `timers` access level. */
export const TIMER_ACTIONS = {
  manage: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
  delete: ['scheduler:DeleteSchedule'],
} as const satisfies Record<NonNullable<Access['timers']>, readonly string[]>;

type Grants = { [K in keyof Access]-?: (level: NonNullable<Access[K]>) => void };

/**
 * The grants of one function, as its spec's `access` declares them (created under the function). A stack
 * passes the targets it has; a function declaring access to one it lacks fails synthesis, naming both.
 */
export class FunctionAccess extends Construct {
  constructor(fn: AftercareFunction, id: string, given: Partial<AccessTargets>) {
    super(fn, id);
    const stack = Stack.of(this);
    const grantee = fn.function;
    const target = <K extends keyof AccessTargets>(kind: K): AccessTargets[K] => {
      const t = given[kind];
      if (t === undefined)
        throw new Error(`${fn.functionId} declares ${kind} access, which ${stack.stackName} cannot grant`);
      return t as AccessTargets[K];
    };

    const grants: Grants = {
      table: (level) =>
        ({ read: grantTableRead, write: grantTableReadWrite })[level](target('table'), grantee),

      bus: () => target('bus').grantPutEventsTo(grantee),

      timers: (level) => {
        const group = target('timers').scheduleGroupName;
        const schedules = stack.formatArn({
          service: 'scheduler',
          resource: 'schedule',
          resourceName: `${group}/*`,
        });
        // Its own policy, so the acknowledgement of the schedule-name wildcard covers nothing else.
        const policy = new iam.Policy(this, 'Timers', {
          statements: [
            new iam.PolicyStatement({ actions: [...TIMER_ACTIONS[level]], resources: [schedules] }),
          ],
        });
        if (level === 'manage') {
          // Creating a schedule hands it the Scheduler role, and only to Scheduler.
          policy.addStatements(
            new iam.PolicyStatement({
              actions: ['iam:PassRole'],
              resources: [target('timers').schedulerRole.roleArn],
              conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
            }),
          );
        }
        policy.attachToRole(fn.role);
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${nagResource(stack, schedules)}]`,
          reason:
            'SLA schedule names are per case and step, made at run time: access is limited to their group',
        });
      },

      mail: () =>
        fn.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['ses:SendEmail'],
            // SES authorizes a send against the identity and the configuration set it names.
            resources: [target('mail').identityArn, target('mail').configurationSetArn],
            conditions: { StringEquals: { 'ses:FromAddress': target('mail').fromAddress } },
          }),
        ),

      inboundMail: () => {
        const trigger = fn.spec.trigger;
        if (trigger.kind !== 'inbound-mail')
          throw new Error(`${fn.functionId} reads inbound mail but is not triggered by it: which prefix?`);
        const bucket = target('mail').inboundBucket;
        const policy = new iam.Policy(this, 'InboundMail', {
          statements: [
            new iam.PolicyStatement({
              actions: ['s3:GetObject'],
              resources: [bucket.arnForObjects(`${trigger.prefix}*`)],
            }),
          ],
        });
        policy.attachToRole(fn.role);
        const bucketId = stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${trigger.prefix}*]`,
          reason:
            'SES names each stored message by its id: the function reads any object under its prefix only',
        });
      },

      // Read at run time by ARN (`shared/config/secrets.ts`): the current and previous versions, nothing more.
      surveyKey: () =>
        fn.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['secretsmanager:GetSecretValue'],
            resources: [target('surveyKey').secretArn],
          }),
        ),

      // Its own policy, not the role's default one: the function depends on its role's default policy,
      // and the pool names the function as its trigger, so a grant on the pool there would close a cycle.
      users: () => {
        const policy = new iam.Policy(this, 'Users', {
          statements: [
            new iam.PolicyStatement({
              actions: ['cognito-idp:AdminGetUser'],
              resources: [target('users').userPoolArn],
            }),
          ],
        });
        policy.attachToRole(fn.role);
      },

      // On the one state machine only: starting its executions, or answering the task tokens it hands out.
      // Its own policy, as for the pool: the state machine names its task function, which may answer it too.
      workflow: ({ name, may }) => {
        const machine = target('workflows')(name);
        const policy = new iam.Policy(this, 'Workflow', {
          statements: may.map(
            (permission) =>
              new iam.PolicyStatement({
                actions: [...WORKFLOW_ACTIONS[permission]],
                resources: [machine.stateMachineArn],
              }),
          ),
        });
        policy.attachToRole(fn.role);
      },
    };

    for (const [kind, level] of Object.entries(fn.spec.access) as [keyof Access, unknown][]) {
      if (level !== undefined) (grants[kind] as (level: unknown) => void)(level);
    }
  }
}
