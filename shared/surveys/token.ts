/**
 * Signed survey tokens: the capability in a survey link and in the reply-to address
 * `survey+<token>@domain`.
 *
 * Format: `<cardId>.<exp>.<mac>` (about 44 characters), where
 * - `cardId` is 10 base32 characters (50 random bits) naming the card stored server-side, which
 *   binds it to the case, customer and technician — so nothing else needs to travel in the link;
 * - `exp` is the expiry in epoch seconds, base36;
 * - `mac` is HMAC-SHA256 over `cardId.exp`, truncated to 128 bits, base32.
 *
 * Only `[a-z0-9.]` is used so the token survives mail systems that lowercase addresses, and stays
 * within the 64-character local part of an address (`survey+` leaves 57). Unguessability comes from
 * the MAC, not from the card id: without the secret no valid token can be made for any card.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a survey link stays valid after the card is sent. */
export const SURVEY_TOKEN_TTL_DAYS = 14;

/** Longest token that still fits `survey+<token>` in a 64-character e-mail local part. */
export const SURVEY_TOKEN_MAX_LENGTH = 57;

/** HMAC keys shorter than this are refused: a short key makes the MAC brute-forceable. */
export const SURVEY_SECRET_MIN_BYTES = 16;

export type SurveyTokenSecret = string | Uint8Array;

/**
 * The link keys in use: tokens are signed with `current` and verified with `current` or `previous`, so
 * the links sent before a rotation keep working until the next one (`shared/config/secrets.ts`).
 */
export interface SurveyKeyRing {
  current: SurveyTokenSecret;
  previous?: SurveyTokenSecret;
}

export type SurveyTokenResult =
  | { ok: true; cardId: string; expiresAt: Date }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

// RFC 4648 base32 alphabet, lowercased: no 0/1/8/9, so no confusion with o/l/b/g when read aloud.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const CARD_ID_LENGTH = 10;
const MAC_BYTES = 16;
// 8 base36 digits last some 89,000 years; a leading zero is not canonical, so not accepted.
const MAX_EXP_SECONDS = 36 ** 8 - 1;
const TOKEN = /^([a-z2-7]{10})\.([1-9a-z][0-9a-z]{0,7})\.([a-z2-7]{26})$/;
const CARD_ID = /^[a-z2-7]{10}$/;

/** A fresh random card id: 10 lowercase base32 characters (50 bits). */
export function newCardId(): string {
  // 7 bytes = 56 bits; the first 50 are used.
  return base32(randomBytes(7)).slice(0, CARD_ID_LENGTH);
}

/** True when `value` has the shape of a card id made by {@link newCardId}. */
export function isCardId(value: string): boolean {
  return CARD_ID.test(value);
}

/** Expiry of a token issued at `issuedAt` with the default lifetime of {@link SURVEY_TOKEN_TTL_DAYS}. */
export function surveyTokenExpiry(issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + SURVEY_TOKEN_TTL_DAYS * 86_400_000);
}

/**
 * Signs a token for a card.
 *
 * The expiry is kept to the second, rounded down so a token never outlives the requested time.
 *
 * @throws TypeError when `cardId` is not a card id, `expiresAt` is not a valid date after 1970,
 *   or the secret is shorter than {@link SURVEY_SECRET_MIN_BYTES}.
 */
export function signSurveyToken(
  input: { cardId: string; expiresAt: Date },
  secret: SurveyTokenSecret,
): string {
  if (!isCardId(input.cardId)) throw new TypeError('cardId must be 10 lowercase base32 characters');
  const seconds = Math.floor(input.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > MAX_EXP_SECONDS) {
    throw new TypeError('expiresAt must be a valid date');
  }
  const payload = `${input.cardId}.${seconds.toString(36)}`;
  return `${payload}.${mac(payload, secret)}`;
}

/**
 * Verifies a token and returns the card it names.
 *
 * Upper case is folded to lower case first, because some mail systems change the case of
 * addresses; the alphabet has no case-only distinctions, so this does not widen what is accepted.
 * The signature is checked before the expiry, so an expired answer is only reported for tokens we
 * issued. A token is valid while `now` is strictly before its expiry. Given a key ring, a token signed
 * with the current or the previous key is valid (the rotation window).
 *
 * @throws TypeError when the secret is shorter than {@link SURVEY_SECRET_MIN_BYTES}.
 */
export function verifySurveyToken(
  token: string,
  keys: SurveyTokenSecret | SurveyKeyRing,
  now: Date,
): SurveyTokenResult {
  // Length check first so a huge input costs nothing.
  if (typeof token !== 'string' || token.length > SURVEY_TOKEN_MAX_LENGTH) {
    return { ok: false, reason: 'malformed' };
  }
  const match = TOKEN.exec(token.toLowerCase());
  if (!match) return { ok: false, reason: 'malformed' };
  const [, cardId = '', exp = '', given = ''] = match;

  const ring = isKeyRing(keys) ? keys : { current: keys };
  const candidates = ring.previous === undefined ? [ring.current] : [ring.current, ring.previous];
  // Compared as text, not decoded bytes: the last base32 character carries 2 unused bits, and
  // decoding would let a token with those bits flipped pass as the same signature. Every key is tried,
  // so the time taken does not tell which one matched.
  const givenBytes = Buffer.from(given, 'ascii');
  let matched = false;
  for (const secret of candidates) {
    const expected = Buffer.from(mac(`${cardId}.${exp}`, secret), 'ascii');
    matched = timingSafeEqual(expected, givenBytes) || matched;
  }
  if (!matched) return { ok: false, reason: 'bad-signature' };

  const expiresAt = new Date(Number.parseInt(exp, 36) * 1000);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, cardId, expiresAt };
}

function isKeyRing(keys: SurveyTokenSecret | SurveyKeyRing): keys is SurveyKeyRing {
  return typeof keys === 'object' && !(keys instanceof Uint8Array);
}

function mac(payload: string, secret: SurveyTokenSecret): string {
  const key = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (key.length < SURVEY_SECRET_MIN_BYTES) {
    throw new TypeError(`survey token secret must be at least ${SURVEY_SECRET_MIN_BYTES} bytes`);
  }
  const digest = createHmac('sha256', key).update(payload, 'ascii').digest();
  return base32(digest.subarray(0, MAC_BYTES));
}

/** RFC 4648 base32, lowercase, without padding. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1; // keep only the unread bits so the number never overflows
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}
