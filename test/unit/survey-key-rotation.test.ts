/**
 * Rotating the survey link key (README, "On AWS"): links are signed with the current key and verified with
 * the current and the previous one, which the functions read from Secrets Manager (AWSCURRENT and
 * AWSPREVIOUS) and keep for a few minutes.
 */
import { type GetSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { SECRET_CACHE_SECONDS, secretsManagerSource } from '../../shared/config/secrets.ts';
import {
  SURVEY_TOKEN_TTL_DAYS,
  type SurveyKeyRing,
  signSurveyToken,
  surveyTokenExpiry,
  verifySurveyToken,
} from '../../shared/surveys/token.ts';

const KEY_A = 'key-a-0123456789abcdef0123456789';
const KEY_B = 'key-b-0123456789abcdef0123456789';
const KEY_C = 'key-c-0123456789abcdef0123456789';
const DAY = 86_400_000;
const sentAt = new Date('2026-11-25T01:00:00Z');
const card = { cardId: 'abcdefgh23', expiresAt: surveyTokenExpiry(sentAt) };

describe('the dual-key window of survey links', () => {
  it('keeps a link signed before a rotation valid after it, and signs new links with the new key', () => {
    // Prepare: a card mailed under key A, then A rotated to B a day later
    const before = signSurveyToken(card, KEY_A);
    const afterRotation: SurveyKeyRing = { current: KEY_B, previous: KEY_A };
    const fresh = signSurveyToken(card, afterRotation.current);
    const aDayLater = new Date(sentAt.getTime() + DAY);

    // Act
    const oldLink = verifySurveyToken(before, afterRotation, aDayLater);
    const newLink = verifySurveyToken(fresh, afterRotation, aDayLater);

    // Assess
    expect(oldLink).toMatchObject({ ok: true, cardId: card.cardId });
    expect(newLink).toMatchObject({ ok: true, cardId: card.cardId });
    expect(fresh).not.toBe(before);
  });

  it('closes the window at the next rotation: a link of two keys ago no longer verifies', () => {
    // Prepare: A → B → C, each at least a link lifetime apart (the procedure's rule)
    const underA = signSurveyToken(card, KEY_A);
    const underB = signSurveyToken(card, KEY_B);
    const twoRotationsLater: SurveyKeyRing = { current: KEY_C, previous: KEY_B };
    const beforeExpiry = new Date(sentAt.getTime() + DAY);

    // Act
    const a = verifySurveyToken(underA, twoRotationsLater, beforeExpiry);
    const b = verifySurveyToken(underB, twoRotationsLater, beforeExpiry);

    // Assess
    expect(a).toEqual({ ok: false, reason: 'bad-signature' });
    expect(b).toMatchObject({ ok: true });
  });

  it('lets links expire on their own: rotating once per link lifetime loses none', () => {
    // Prepare: the last link under A is sent just before the rotation to B, and B → C waits a lifetime
    const lastUnderA = signSurveyToken(card, KEY_A);
    const atExpiry = card.expiresAt;
    const justBefore = new Date(atExpiry.getTime() - 1000);

    // Act
    const stillOpen = verifySurveyToken(lastUnderA, { current: KEY_B, previous: KEY_A }, justBefore);
    const expired = verifySurveyToken(lastUnderA, { current: KEY_B, previous: KEY_A }, atExpiry);

    // Assess
    expect(stillOpen).toMatchObject({ ok: true });
    expect(expired).toEqual({ ok: false, reason: 'expired' });
    expect(atExpiry.getTime() - sentAt.getTime()).toBe(SURVEY_TOKEN_TTL_DAYS * DAY);
  });

  it('accepts a single key as before rotation existed', () => {
    expect(verifySurveyToken(signSurveyToken(card, KEY_A), KEY_A, sentAt)).toMatchObject({ ok: true });
    expect(verifySurveyToken(signSurveyToken(card, KEY_A), { current: KEY_A }, sentAt)).toMatchObject({
      ok: true,
    });
  });
});

/** A Secrets Manager client answering from a table of version stages, counting calls. */
function fakeSecretsManager(stages: Record<string, string | undefined>) {
  const calls: string[] = [];
  return {
    calls,
    stages,
    client: {
      send: async (command: GetSecretValueCommand) => {
        const stage = command.input.VersionStage ?? 'AWSCURRENT';
        calls.push(stage);
        const value = stages[stage];
        if (value === undefined)
          throw new ResourceNotFoundException({ message: `no version ${stage}`, $metadata: {} });
        return { SecretString: value, $metadata: {} };
      },
    } as unknown as Pick<import('@aws-sdk/client-secrets-manager').SecretsManagerClient, 'send'>,
  };
}

describe('secretsManagerSource', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:survey-key-AbCdEf';

  it('reads the current and previous versions once, then serves them from its cache', async () => {
    // Prepare
    const sm = fakeSecretsManager({ AWSCURRENT: KEY_B, AWSPREVIOUS: KEY_A });
    let clock = 0;
    const source = secretsManagerSource(arn, { client: sm.client, now: () => clock });

    // Act
    const first = await source.versions();
    clock += (SECRET_CACHE_SECONDS - 1) * 1000;
    const second = await source.versions();

    // Assess
    expect(first).toEqual({ current: KEY_B, previous: KEY_A });
    expect(second).toBe(first);
    expect(sm.calls.sort()).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
  });

  it('has no previous key before the first rotation', async () => {
    // Prepare
    const sm = fakeSecretsManager({ AWSCURRENT: KEY_A });

    // Act
    const versions = await secretsManagerSource(arn, { client: sm.client }).versions();

    // Assess
    expect(versions).toEqual({ current: KEY_A });
  });

  it('picks up a rotation once its cache is stale', async () => {
    // Prepare
    const sm = fakeSecretsManager({ AWSCURRENT: KEY_A });
    let clock = 0;
    const source = secretsManagerSource(arn, { client: sm.client, now: () => clock });
    await source.versions();

    // Act: put-secret-value moves A to AWSPREVIOUS and makes B current
    sm.stages.AWSCURRENT = KEY_B;
    sm.stages.AWSPREVIOUS = KEY_A;
    clock += SECRET_CACHE_SECONDS * 1000;
    const rotated = await source.versions();

    // Assess
    expect(rotated).toEqual({ current: KEY_B, previous: KEY_A });
  });

  it('does not keep a failed read: the next call tries again', async () => {
    // Prepare
    const sm = fakeSecretsManager({});
    const source = secretsManagerSource(arn, { client: sm.client });

    // Act
    const failed = source.versions();
    await expect(failed).rejects.toThrow(/no version AWSCURRENT/);
    sm.stages.AWSCURRENT = KEY_A;
    const retried = await source.versions();

    // Assess
    expect(retried).toEqual({ current: KEY_A });
  });
});
