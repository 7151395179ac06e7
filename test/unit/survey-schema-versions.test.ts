/**
 * Stored survey and complaint items carry a version. When a schema's fingerprint changes, bump its
 * version (with a compatibility note) and record the new fingerprint here; never edit an old one.
 */
import { describe, expect, it } from 'vitest';
import {
  COMPLAINT_SCHEMA_VERSION,
  complaintItemSchema,
  TASK_SCHEMA_VERSION,
  taskItemSchema,
} from '../../shared/complaints/model.ts';
import {
  SURVEY_CARD_SCHEMA_VERSION,
  SURVEY_REPLY_SCHEMA_VERSION,
  surveyCardSchema,
  surveyReplySchema,
} from '../../shared/surveys/model.ts';
import { schemaFingerprint } from '../support/schema-fingerprint.ts';

const known: Record<string, Record<number, string>> = {
  SurveyCard: { 1: 'd39a0320e5aabacd' },
  SurveyReply: { 1: '2ffcb46b44b7b7e8' },
  Complaint: { 1: 'a5237e7aa59bcbf5' },
  Task: { 1: '3e1f6d9a11ffcdbd' },
};

describe('stored survey and complaint schema versions', () => {
  it.each([
    ['SurveyCard', SURVEY_CARD_SCHEMA_VERSION, surveyCardSchema],
    ['SurveyReply', SURVEY_REPLY_SCHEMA_VERSION, surveyReplySchema],
    ['Complaint', COMPLAINT_SCHEMA_VERSION, complaintItemSchema],
    ['Task', TASK_SCHEMA_VERSION, taskItemSchema],
  ] as const)('bumps the %s version whenever its stored schema changes', (name, version, schema) => {
    expect({ version, fingerprint: schemaFingerprint(schema) }).toEqual({
      version,
      fingerprint: known[name]?.[version],
    });
  });
});
