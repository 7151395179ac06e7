/**
 * The Workflow construct on a throwaway stack, with a tiny ASL file: what it deploys (definition file
 * with substitutions, logging, tracing, alarms) and that cdk-nag's AWS Solutions checks find nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/bundle.ts';
import { Workflow } from '../../infra/constructs/workflow.ts';
import { addComplianceChecks } from '../../infra/stacks/aftercare.ts';

const definitionFile = join(repoRoot, 'test', 'fixtures', 'workflows', 'greet.asl.json');

let app: App;
let template: Template;
let workflow: Workflow;
let stack: Stack;

beforeAll(() => {
  const context = (
    JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context;
  app = new App({ context, outdir: mkdtempSync(join(tmpdir(), 'aftercare-workflow-cdk-')) });
  stack = new Stack(app, 'WorkflowTest');
  workflow = new Workflow(stack, 'Greet', {
    description: 'greets',
    definitionFile,
    definitionSubstitutions: { Greeting: 'hello' },
  });
  addComplianceChecks(app);
  app.synth();
  template = Template.fromStack(stack);
});

const logicalId = (c: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(c.node.defaultChild as never);

describe('Workflow', () => {
  it('deploys the ASL file as an asset with its substitutions', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionS3Location: { Bucket: Match.anyValue(), Key: Match.stringLikeRegexp('\\.json$') },
      DefinitionSubstitutions: { Greeting: 'hello' },
    });
  });

  it('logs every execution event with its data to its own log group, and traces with X-Ray', () => {
    // Prepare
    const logGroupId = logicalId(workflow.logGroup);

    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
      },
      TracingConfiguration: { Enabled: true },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: { RetentionInDays: 30 },
    });
  });

  it('alarms on the first failed and on the first timed-out execution', () => {
    // Prepare
    const stateMachineId = logicalId(workflow.stateMachine);

    // Act
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    const metrics = Object.values(alarms).map((a) => ({
      metric: a.Properties.MetricName,
      threshold: a.Properties.Threshold,
      stateMachine: a.Properties.Dimensions[0].Value,
    }));

    // Assess
    expect(metrics.sort((a, b) => a.metric.localeCompare(b.metric))).toEqual([
      { metric: 'ExecutionsFailed', threshold: 1, stateMachine: { Ref: stateMachineId } },
      { metric: 'ExecutionsTimedOut', threshold: 1, stateMachine: { Ref: stateMachineId } },
    ]);
  });

  it('leaves cdk-nag nothing to report', () => {
    // Act
    const result = new AwsSolutionsChecks().validateScope(app);

    // Assess
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
