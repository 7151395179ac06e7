import { describe, expect, it } from 'vitest';
import {
  isCardId,
  newCardId,
  SURVEY_TOKEN_MAX_LENGTH,
  SURVEY_TOKEN_TTL_DAYS,
  signSurveyToken,
  surveyTokenExpiry,
  verifySurveyToken,
} from '../../shared/surveys/token.ts';

const SECRET = 'test-secret-0123456789abcdef';
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const EXPIRES_AT = new Date('2025-03-21T16:00:00Z');
const BEFORE_EXPIRY = new Date('2025-03-10T08:00:00Z');

function issue(cardId = 'abcdefgh23', expiresAt = EXPIRES_AT): string {
  return signSurveyToken({ cardId, expiresAt }, SECRET);
}

/** Replaces the character at `index` with the next one of `alphabet`, keeping the token well-formed. */
function replaceAt(token: string, index: number, alphabet: string): string {
  const current = token.charAt(index);
  const next = alphabet.charAt((alphabet.indexOf(current) + 1) % alphabet.length);
  return token.slice(0, index) + next + token.slice(index + 1);
}

describe('newCardId', () => {
  it('makes 10-character lowercase base32 ids that do not repeat', () => {
    // Act
    const ids = Array.from({ length: 1000 }, () => newCardId());

    // Assess
    for (const id of ids) expect(id).toMatch(/^[a-z2-7]{10}$/);
    expect(ids.every(isCardId)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('signSurveyToken and verifySurveyToken', () => {
  it('round-trips the card id and the expiry', () => {
    // Prepare
    const cardId = newCardId();

    // Act
    const result = verifySurveyToken(issue(cardId), SECRET, BEFORE_EXPIRY);

    // Assess
    expect(result).toEqual({ ok: true, cardId, expiresAt: EXPIRES_AT });
  });

  it('accepts the secret as bytes or as the same text', () => {
    // Prepare
    const token = signSurveyToken({ cardId: 'abcdefgh23', expiresAt: EXPIRES_AT }, Buffer.from(SECRET));

    // Act
    const result = verifySurveyToken(token, SECRET, BEFORE_EXPIRY);

    // Assess
    expect(result.ok).toBe(true);
  });

  it.each([
    ['today', new Date('2025-03-21T16:00:00Z')],
    ['the largest expiry we can encode', new Date('9999-12-31T23:59:59Z')],
  ])('fits a plus-address local part and uses only [a-z0-9.] for an expiry of %s', (_, expiresAt) => {
    // Act
    const token = issue(newCardId(), expiresAt);

    // Assess
    expect(token.length).toBeLessThanOrEqual(SURVEY_TOKEN_MAX_LENGTH);
    expect(`survey+${token}`.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[a-z0-9.]+$/);
    expect(token.split('.')).toHaveLength(3);
  });

  it('still verifies after a mail system changed the case of the address', () => {
    // Prepare
    const token = issue();

    // Act
    const result = verifySurveyToken(token.toUpperCase(), SECRET, BEFORE_EXPIRY);

    // Assess
    expect(result).toMatchObject({ ok: true, cardId: 'abcdefgh23' });
  });

  it('rejects a token signed with another secret', () => {
    // Prepare
    const token = signSurveyToken(
      { cardId: 'abcdefgh23', expiresAt: EXPIRES_AT },
      'another-secret-0123456789',
    );

    // Act
    const result = verifySurveyToken(token, SECRET, BEFORE_EXPIRY);

    // Assess
    expect(result).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['card id', 0, BASE32],
    ['card id', 9, BASE32],
    ['expiry', 11, BASE36],
    ['expiry', 16, BASE36],
    ['signature', 18, BASE32],
    ['signature', 30, BASE32],
  ])('rejects a token whose %s was changed at position %i', (_, index, alphabet) => {
    // Prepare
    const tampered = replaceAt(issue(), index, alphabet);

    // Act
    const result = verifySurveyToken(tampered, SECRET, BEFORE_EXPIRY);

    // Assess
    expect(result).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a change to any single character of the token', () => {
    // Prepare
    const token = issue();
    const tampered = [...token].map((char, index) =>
      char === '.' ? `${token.slice(0, index)}a${token.slice(index + 1)}` : replaceAt(token, index, BASE36),
    );

    // Act
    const results = tampered.map((t) => verifySurveyToken(t, SECRET, BEFORE_EXPIRY));

    // Assess
    for (const result of results) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(['bad-signature', 'malformed']).toContain(result.reason);
    }
  });

  it('rejects a signature whose last character differs only in its unused bits', () => {
    // Prepare: the 26th base32 character carries 3 bits of the MAC and 2 padding bits; its
    // neighbour in the alphabet decodes to the same bytes.
    const token = issue();
    const last = token.length - 1;
    const index = BASE32.indexOf(token.charAt(last));
    const sibling = BASE32.charAt(index ^ 1);

    // Act
    const result = verifySurveyToken(token.slice(0, last) + sibling, SECRET, BEFORE_EXPIRY);

    // Assess
    expect(result).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['one millisecond before the expiry', new Date(EXPIRES_AT.getTime() - 1), true],
    ['exactly at the expiry', EXPIRES_AT, false],
    ['one second after the expiry', new Date(EXPIRES_AT.getTime() + 1000), false],
  ])('a token checked %s is valid: %s', (_, now, valid) => {
    // Act
    const result = verifySurveyToken(issue(), SECRET, now);

    // Assess
    expect(result).toEqual(valid ? expect.objectContaining({ ok: true }) : { ok: false, reason: 'expired' });
  });

  it('rounds a sub-second expiry down so the token never outlives it', () => {
    // Prepare
    const token = issue('abcdefgh23', new Date('2025-03-21T16:00:00.900Z'));

    // Act
    const atWholeSecond = verifySurveyToken(token, SECRET, new Date('2025-03-21T16:00:00.000Z'));

    // Assess
    expect(atWholeSecond).toEqual({ ok: false, reason: 'expired' });
  });

  it('reports a forged expired token as a bad signature, not as expired', () => {
    // Prepare
    const tampered = replaceAt(issue(), 18, BASE32);

    // Act
    const result = verifySurveyToken(tampered, SECRET, new Date('2030-01-01T00:00:00Z'));

    // Assess
    expect(result).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['an empty string', ''],
    ['random text', 'hello'],
    ['two parts', 'abcdefgh23.sth8w0'],
    ['four parts', `${'abcdefgh23.sth8w0.'}${'a'.repeat(26)}.x`],
    ['a short card id', `abcdefgh2.sth8w0.${'a'.repeat(26)}`],
    ['a card id with digits outside base32', `abcdefgh01.sth8w0.${'a'.repeat(26)}`],
    ['an expiry with a leading zero', `abcdefgh23.0sth8w0.${'a'.repeat(26)}`],
    ['an empty expiry', `abcdefgh23..${'a'.repeat(26)}`],
    ['a short signature', `abcdefgh23.sth8w0.${'a'.repeat(25)}`],
    ['a plus sign', `abcdefgh23.sth8w0.${'a'.repeat(25)}+`],
    ['surrounding spaces', ` abcdefgh23.sth8w0.${'a'.repeat(26)} `],
    ['an overlong input', 'a'.repeat(10_000)],
  ])('rejects %s as malformed', (_, token) => {
    // Act
    const result = verifySurveyToken(token, SECRET, BEFORE_EXPIRY);

    // Assess
    expect(result).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['a card id of the wrong shape', { cardId: 'ABC', expiresAt: EXPIRES_AT }],
    ['an invalid date', { cardId: 'abcdefgh23', expiresAt: new Date(Number.NaN) }],
    ['a date before 1970', { cardId: 'abcdefgh23', expiresAt: new Date('1960-01-01T00:00:00Z') }],
  ])('refuses to sign %s', (_, input) => {
    // Act + Assess
    expect(() => signSurveyToken(input, SECRET)).toThrow(TypeError);
  });

  it('refuses a secret too short to resist guessing', () => {
    // Act + Assess
    expect(() => signSurveyToken({ cardId: 'abcdefgh23', expiresAt: EXPIRES_AT }, 'short')).toThrow(
      TypeError,
    );
    expect(() => verifySurveyToken(issue(), '', BEFORE_EXPIRY)).toThrow(TypeError);
  });
});

describe('surveyTokenExpiry', () => {
  it(`expires ${SURVEY_TOKEN_TTL_DAYS} days after issue`, () => {
    // Act
    const expiresAt = surveyTokenExpiry(new Date('2025-03-07T10:00:00Z'));

    // Assess
    expect(expiresAt).toEqual(new Date('2025-03-21T10:00:00Z'));
  });
});
