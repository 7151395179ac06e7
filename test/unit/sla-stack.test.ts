/**
 * The SLA construct synthesized on its own with the real function bundles and cdk-nag's AWS Solutions
 * checks (a finding fails the synth): schedule group, Scheduler role, DLQ, default morning schedule,
 * and the grants and environment of the two SLA consumers.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFunctions, repoRoot } from '../../infra/bundle.ts';
import { AftercareFunction } from '../../infra/constructs/aftercare-function.ts';
import { addComplianceChecks } from '../../infra/stacks/aftercare.ts';
import { SlaTimers } from '../../infra/stacks/sla-stack.ts';
import { consumerEnvSchema } from '../../shared/config/env.ts';

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

let template: Template;
let timerRoleId: string;
let clockRoleId: string;
let schedulerRoleId: string;

beforeAll(async () => {
  await bundleFunctions();
  const context = (
    JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context;
  const app = new App({ context, outdir: mkdtempSync(join(tmpdir(), 'aftercare-sla-cdk-')) });
  const stack = new Stack(app, 'SlaTest');
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  });
  const fn = (id: 'sla-clock' | 'sla-timer') =>
    new AftercareFunction(stack, id, {
      functionId: id,
      envSchema: consumerEnvSchema,
      environment: { POWERTOOLS_SERVICE_NAME: 'aftercare' },
    });
  const clock = fn('sla-clock');
  const timer = fn('sla-timer');
  const sla = new SlaTimers(stack, 'Sla', {
    table,
    clock,
    timer,
    scheduleGroupName: 'aftercare-test-sla',
    timeZone: 'Asia/Shanghai',
    mailFrom: 'Aftercare <service@aftercare.example>',
    emailIdentity: 'aftercare.example',
    serviceName: 'aftercare',
  });
  addComplianceChecks(app);
  app.synth();
  template = Template.fromStack(stack);
  timerRoleId = stack.getLogicalId(timer.role.node.defaultChild as never);
  clockRoleId = stack.getLogicalId(clock.role.node.defaultChild as never);
  schedulerRoleId = stack.getLogicalId(sla.schedulerRole.node.defaultChild as never);
}, 120_000);

function statementsOf(roleId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
  });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (roleId: string) => statementsOf(roleId).flatMap((s) => [s.Action].flat());

describe('SLA timers on AWS', () => {
  it('keeps the schedules in their own group and runs the default morning at 08:00 in the branch timezone, with retries and a DLQ', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'aftercare-test-sla' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      GroupName: 'aftercare-test-sla',
      ScheduleExpression: 'cron(0 8 * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Input: '{"kind":"morning","branchId":"main"}',
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: Match.anyValue() },
        RoleArn: { 'Fn::GetAtt': [schedulerRoleId, 'Arn'] },
      }),
    });
  });

  it('lets Scheduler only invoke the timer function and write to its DLQ', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: Match.anyValue(),
          }),
        ],
      },
    });
    expect(new Set(actionsOf(schedulerRoleId))).toEqual(
      new Set(['lambda:InvokeFunction', 'sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']),
    );
  });

  it('lets the clock create and delete schedules in the group and pass only the Scheduler role; the timer only deletes and mails', () => {
    // Act
    const clock = actionsOf(clockRoleId);
    const timer = actionsOf(timerRoleId);

    // Assess
    expect(clock).toEqual(
      expect.arrayContaining([
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'iam:PassRole',
        'dynamodb:Query',
        'dynamodb:PutItem',
      ]),
    );
    expect(clock).not.toContain('ses:SendEmail');
    expect(timer).toEqual(
      expect.arrayContaining(['scheduler:DeleteSchedule', 'ses:SendEmail', 'dynamodb:Query']),
    );
    expect(timer).not.toContain('scheduler:CreateSchedule');
    expect(timer).not.toContain('iam:PassRole');
    const passRole = statementsOf(clockRoleId).find((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' },
    });
  });

  it('gives each SLA function the environment its schema asks for', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SLA_SCHEDULE_GROUP: 'aftercare-test-sla',
          SLA_TIMER_ARN: Match.anyValue(),
          SLA_SCHEDULER_ROLE_ARN: Match.anyValue(),
          SLA_TIMER_DLQ_ARN: Match.anyValue(),
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          SLA_SCHEDULE_GROUP: 'aftercare-test-sla',
          MAIL_FROM: 'Aftercare <service@aftercare.example>',
        }),
      },
    });
  });
});
