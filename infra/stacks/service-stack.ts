/**
 * Everything of a stage that computes, derived from the function catalogue (`functions/catalog.ts`):
 * the domain event bus, the HTTP API, SES sending and receiving, one function per catalogue entry with
 * exactly its environment, its trigger and the grants its `access` declares — all but the user pool's
 * triggers, which the Identity stack deploys with the pool.
 *
 * One stack, because the catalogue wires freely across domains — the survey functions link to the API
 * they sit behind, the SLA clock hands out the timer function's ARN, any function may mail — and split
 * stacks would turn each such edge into an export (or a cycle). What outlives compute (table, users,
 * survey key) lives in stacks of its own.
 */

import { join } from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../events/registry.ts';
import {
  allFunctions,
  allRoutes,
  type FunctionId,
  PUBLIC_ROUTE_THROTTLE,
  THROTTLE,
} from '../../functions/catalog.ts';
import type { Trigger } from '../../functions/spec.ts';
import { repoRoot } from '../bundle.ts';
import { AftercareFunction } from '../constructs/aftercare-function.ts';
import { DeadLetterQueue } from '../constructs/dead-letter-queue.ts';
import { EventSubscription } from '../constructs/event-subscription.ts';
import { FunctionAccess } from '../constructs/function-access.ts';
import { Mail, type MailSender } from '../constructs/mail.ts';
import { OutboxRelay } from '../constructs/outbox-relay.ts';
import { ScheduledJob } from '../constructs/scheduled-job.ts';
import { ServiceApi } from '../constructs/service-api.ts';
import { Workflow } from '../constructs/workflow.ts';
import { scheduleGroupName } from '../naming.ts';
import { stageBindings } from './bindings.ts';
import { IDENTITY_STACK_TRIGGER } from './identity-stack.ts';

/** Properties of {@link ServiceStack}. */
export interface ServiceStackProps extends StackProps {
  /** Prefix of named resources (schedule groups), `aftercare-<stage>`. */
  readonly resourcePrefix: string;
  readonly serviceName: string;
  /** The stage's default timezone: `TIME_ZONE`, and the clock of the named schedules. */
  readonly timeZone: string;
  /** Origins CORS allows, from the stage settings. */
  readonly corsOrigins: string[];
  /** The API's custom domain, if the stage has one; survey links are built from it. */
  readonly apiDomain?: { readonly name: string; readonly certificateArn: string };
  /** The stage's sending identity and configuration set (Mail stack); replies go to `reply.<mailDomain>`. */
  readonly mail: MailSender;
  readonly table: dynamodb.ITableV2;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.IUserPoolClient;
  readonly surveyKey: secretsmanager.ISecret;
}

type TriggerOf<K extends Trigger['kind']> = Extract<Trigger, { kind: K }>;
/** How each kind of trigger is wired; a new kind in `functions/spec.ts` fails the type check until mapped. */
type TriggerWiring = { [K in Trigger['kind']]: (fn: AftercareFunction, trigger: TriggerOf<K>) => void };

export class ServiceStack extends Stack {
  readonly bus: events.EventBus;
  readonly api: ServiceApi;
  /** SES receiving (sending is the Mail stack's). */
  readonly mail: Mail;
  /** Every catalogue function but the user pool's triggers (the Identity stack's), by id. */
  readonly functions: Partial<Record<FunctionId, AftercareFunction>>;
  /** The schedule groups that exist (a group is created for the first schedule that needs it). */
  readonly scheduleGroups: Partial<Record<'timers' | 'schedule', scheduler.CfnScheduleGroup>> = {};
  /** The catalogue's workflows (Step Functions state machines from ASL files), by name. */
  readonly workflows = new Map<string, Workflow>();

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);

    this.bus = new events.EventBus(this, 'Bus', { description: 'Aftercare domain events' });
    this.bus.archive('Archive', {
      description: 'Every Aftercare domain event, for replay after a consumer fix',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(365),
    });
    // Everything mail-related is referred to by name: the functions need the identity to exist first.
    this.addStackDependency(Stack.of(props.mail) as Stack, 'functions send through the mail identity');
    this.mail = new Mail(this, 'Mail', { replyDomain: `reply.${props.mail.mailDomain}` });
    this.api = new ServiceApi(this, 'Api', {
      userPool: props.userPool,
      userPoolClient: props.userPoolClient,
      corsOrigins: props.corsOrigins,
      corsMethods: allRoutes.map((r) => r.method),
      throttle: THROTTLE,
      publicRouteThrottle: PUBLIC_ROUTE_THROTTLE,
      ...(props.apiDomain ? { domain: props.apiDomain } : {}),
    });

    let slaTimers: ScheduledJob | undefined;
    const bindings = stageBindings({
      resourcePrefix: props.resourcePrefix,
      serviceName: props.serviceName,
      timeZone: props.timeZone,
      table: props.table,
      bus: this.bus,
      mail: props.mail,
      inbound: this.mail,
      surveyKey: props.surveyKey,
      publicBaseUrl: this.api.publicBaseUrl,
      workflow: (name) => {
        const workflow = this.workflows.get(name);
        if (!workflow) throw new Error(`a function reads workflow ${name}, but no function is its task`);
        return workflow.stateMachine.stateMachineArn;
      },
      slaTimers: () => {
        if (!slaTimers)
          throw new Error('a function reads the SLA timer settings, but none has a timers trigger');
        return slaTimers;
      },
    });

    // One construct per domain, holding its functions and what triggers them.
    const domains = new Map<string, Construct>();
    const scopeOf = (domain: string) => {
      const scope = domains.get(domain) ?? new Construct(this, domain);
      domains.set(domain, scope);
      return scope;
    };
    this.functions = {};
    for (const [functionId, spec] of Object.entries(allFunctions) as [
      FunctionId,
      (typeof allFunctions)[FunctionId],
    ][]) {
      if (spec.trigger.kind === IDENTITY_STACK_TRIGGER) continue;
      this.functions[functionId] = new AftercareFunction(scopeOf(spec.domain), functionId, {
        functionId,
        spec,
        bindings,
      });
    }

    const groupFor = (kind: 'timers' | 'schedule') =>
      (this.scheduleGroups[kind] ??= new scheduler.CfnScheduleGroup(this, `ScheduleGroup-${kind}`, {
        name: scheduleGroupName(props.resourcePrefix, kind),
      }));
    const scheduledJob = (fn: AftercareFunction, trigger: TriggerOf<'schedule' | 'timers'>) =>
      new ScheduledJob(fn.node.scope as Construct, `${fn.functionId}-schedules`, {
        target: fn,
        group: groupFor(trigger.kind),
        schedules: trigger.schedules,
        timeZone: props.timeZone,
      });
    const wire: TriggerWiring = {
      // Routes are wired below, from the catalogue's route list.
      http: () => {},
      events: (fn, trigger) =>
        new EventSubscription(fn.node.scope as Construct, `${fn.functionId}-events`, {
          eventBus: this.bus,
          rules: trigger.rules,
          consumer: fn,
        }),
      schedule: (fn, trigger) => scheduledJob(fn, trigger),
      timers: (fn, trigger) => {
        if (slaTimers)
          throw new Error(`${fn.functionId} and ${slaTimers.target.functionId} both claim the SLA timers`);
        slaTimers = scheduledJob(fn, trigger);
      },
      stream: (fn) =>
        new OutboxRelay(fn.node.scope as Construct, `${fn.functionId}-stream`, {
          relay: fn,
          table: props.table,
        }),
      'inbound-mail': (fn, trigger) => this.mail.receiveInto(trigger.prefix, fn),
      // The state machine from its ASL file, its task placeholder bound to this function; only it may invoke it.
      'workflow-task': (fn, trigger) => {
        const spec = trigger.workflow;
        if (this.workflows.has(spec.name)) throw new Error(`workflow ${spec.name} has two task functions`);
        const workflow = new Workflow(fn.node.scope as Construct, spec.name, {
          description: spec.description,
          definitionFile: join(repoRoot, spec.definitionFile),
          definitionSubstitutions: { [spec.taskFunctionSubstitution]: fn.function.functionArn },
        });
        // The unqualified function only (`grantInvoke` would add every version and alias).
        workflow.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['lambda:InvokeFunction'],
            resources: [fn.function.functionArn],
          }),
        );
        this.workflows.set(spec.name, workflow);
      },
      'identity-token': (fn) => {
        throw new Error(`${fn.functionId} is a user pool trigger: the Identity stack deploys it`);
      },
    };
    const deployed = Object.values(this.functions) as AftercareFunction[];
    for (const fn of deployed) {
      (wire[fn.spec.trigger.kind] as (fn: AftercareFunction, trigger: Trigger) => void)(fn, fn.spec.trigger);
    }
    this.api.addRoutes(allRoutes, this.functions);

    // Grants last: the timer job's Scheduler role exists now.
    const timerRole = slaTimers?.role;
    for (const fn of deployed) {
      new FunctionAccess(fn, 'Access', {
        table: props.table,
        bus: this.bus,
        timers: {
          scheduleGroupName: scheduleGroupName(props.resourcePrefix, 'timers'),
          get schedulerRole() {
            if (!timerRole)
              throw new Error(`${fn.functionId} manages SLA timers, but none has a timers trigger`);
            return timerRole;
          },
        },
        mail: {
          identityArn: props.mail.identityArn,
          configurationSetArn: props.mail.configurationSetArn,
          fromAddress: props.mail.fromAddress,
          inboundBucket: this.mail.inboundBucket,
        },
        surveyKey: props.surveyKey,
        users: props.userPool,
        workflows: (name) => {
          const workflow = this.workflows.get(name);
          if (!workflow) throw new Error(`${fn.functionId} uses workflow ${name}, which no function runs`);
          return workflow.stateMachine;
        },
      });
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.stage.url, description: 'Base URL of the HTTP API' });
    if (this.api.domainName) {
      new CfnOutput(this, 'ApiDomainTarget', {
        value: this.api.domainName.regionalDomainName,
        description: 'Once: point the API custom domain at this (CNAME or Route 53 alias)',
      });
    }
    new CfnOutput(this, 'ReceiptRuleSetName', {
      value: this.mail.receiptRuleSet.receiptRuleSetName,
      description: 'Activate once: aws ses set-active-receipt-rule-set --rule-set-name <this>',
    });
    new CfnOutput(this, 'InboundBucketName', { value: this.mail.inboundBucket.bucketName });
  }

  /** Every dead-letter queue of the stack, whichever construct made it. */
  get deadLetterQueues(): DeadLetterQueue[] {
    return this.node.findAll().filter((c): c is DeadLetterQueue => c instanceof DeadLetterQueue);
  }

  /** The queues events wait in for their consumers. */
  get eventQueues(): sqs.IQueue[] {
    return this.node
      .findAll()
      .filter((c): c is EventSubscription => c instanceof EventSubscription)
      .map((s) => s.queue);
  }

  /** Every alarm of the stack: function errors, dead letters, API errors, relay lag, and whatever comes next. */
  get alarms(): cloudwatch.Alarm[] {
    return this.node.findAll().filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm);
  }
}
