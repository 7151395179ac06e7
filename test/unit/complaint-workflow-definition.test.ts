/** The investigation's ASL file: valid States Language, JSONPath only, every human step on a task token. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { complaintInvestigation } from '../../functions/complaints/catalog.ts';
import { repoRoot } from '../../infra/bundle.ts';

const text = readFileSync(join(repoRoot, complaintInvestigation.definitionFile), 'utf8');
const definition = JSON.parse(text) as {
  QueryLanguage?: string;
  States: Record<string, Record<string, any>>;
};

const allStates = (states: Record<string, Record<string, any>>): [string, Record<string, any>][] =>
  Object.entries(states).flatMap(([n, s]) => [
    [n, s] as [string, Record<string, any>],
    ...((s.Branches ?? []) as { States: Record<string, Record<string, any>> }[]).flatMap((b) =>
      allStates(b.States),
    ),
  ]);

describe('the complaint investigation definition', () => {
  it('is valid Amazon States Language in JSONPath', () => {
    // Act
    const result = aslValidator(definition as never);

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  it('waits on a task token at every human step, passing it to the task function', () => {
    // Act
    const human = allStates(definition.States).filter(([, s]) =>
      String(s.Resource).endsWith('.waitForTaskToken'),
    );

    // Assess
    expect(human.map(([, s]) => s.Parameters.Payload.step).sort()).toEqual(
      [
        'actions',
        'analysis',
        'customer_answer',
        'decision',
        'production_investigation',
        'quality_investigation',
        'sales_verification',
        'supervisor_report',
      ].sort(),
    );
    for (const [, s] of human) expect(s.Parameters.Payload['taskToken.$']).toBe('$$.Task.Token');
    expect(text).toContain(`\${${complaintInvestigation.taskFunctionSubstitution}}`);
  });
});
