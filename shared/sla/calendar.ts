/**
 * Working-time calendar for SLA clocks (SPEC §4: every time limit runs in working time, 08:00–18:00 on
 * working days, with holidays). Pure functions, no I/O.
 *
 * Conventions:
 * - Instants are JS `Date`s (in and out); local dates are ISO `YYYY-MM-DD` strings in the calendar's
 *   time zone.
 * - Working periods are half-open `[start, end)` in local wall-clock time and never cross midnight
 *   (`24:00` is allowed as an end). Their instants are built in the calendar's zone (the zone data of
 *   `Intl`, resolved as luxon resolves it: see {@link instantAt}), so durations are real elapsed time: a 08:00–18:00 day is 600 minutes on DST days too, while a period
 *   spanning the DST jump itself is an hour shorter or longer.
 * - Calendars are validated by {@link WorkingCalendarSchema}; the functions trust that shape but
 *   still refuse to search forever when a calendar has no working days left.
 */
import * as z from 'zod/mini';
import { DEFAULT_TIME_ZONE } from '../branches/defaults.ts';
import { lazySchema } from '../validation.ts';

const MS_PER_MINUTE = 60_000;
const MINUTES_PER_DAY = 24 * 60;
const TIME_OF_DAY = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Thrown when a calendar has no working time in the direction searched (e.g. no working weekdays). */
export class WorkingCalendarError extends Error {
  override readonly name = 'WorkingCalendarError';
}

/** Minutes since local midnight of an `HH:mm` string already checked against {@link TIME_OF_DAY}. */
function minuteOfDay(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Epoch ms of midnight UTC of a `YYYY-MM-DD` date; the day may overflow its month (day 0, day 32). */
function utcMidnight(year: number, month: number, day: number): number {
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read the years 0–99 as 1900–1999.
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

const datePart = (date: string, from: number, to: number) => Number(date.slice(from, to));

function isRealDate(date: string): boolean {
  if (!LOCAL_DATE.test(date)) return false;
  const [year, month, day] = [datePart(date, 0, 4), datePart(date, 5, 7), datePart(date, 8, 10)];
  return isoDateOf(utcMidnight(year, month, day)) === date;
}

/** The UTC calendar date of an epoch ms, `YYYY-MM-DD`. */
function isoDateOf(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Whether `Intl` knows the zone (what luxon's `IANAZone.isValidZone` checks). */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone }).format();
    return true;
  } catch {
    return false;
  }
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
/** The zone's UTC offset in minutes at `ms`, from the wall-clock time `Intl` shows there. */
function offsetAt(zone: string, ms: number): number {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      hour12: false,
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      era: 'short',
    });
    zoneFormats.set(zone, format);
  }
  const wall: Record<string, number> = {};
  let bc = false;
  for (const { type, value } of format.formatToParts(ms)) {
    if (type === 'era') bc = value === 'BC';
    else if (type !== 'literal') wall[type] = Number.parseInt(value, 10);
  }
  const year = bc ? 1 - (wall.year ?? 0) : (wall.year ?? 0);
  const asUtc =
    utcMidnight(year, wall.month ?? 1, wall.day ?? 1) +
    (((wall.hour ?? 0) % 24) * 60 + (wall.minute ?? 0)) * MS_PER_MINUTE +
    (wall.second ?? 0) * 1000;
  return (asUtc - (ms - (((ms % 1000) + 1000) % 1000))) / MS_PER_MINUTE;
}

const timeOfDaySchema = lazySchema(() =>
  z.string().check(z.maxLength(5), z.regex(TIME_OF_DAY, 'expected HH:mm (00:00–24:00)')),
);

const localDateSchema = lazySchema(() =>
  z.string().check(z.maxLength(10), z.refine(isRealDate, 'expected a calendar date YYYY-MM-DD')),
);
/** A year's dates at most, per list. */
const MAX_DATES = 366;

const workingPeriodSchema = lazySchema(() =>
  z.strictObject({ start: timeOfDaySchema, end: timeOfDaySchema }),
);

const workingHoursSchema = lazySchema(() =>
  z.array(workingPeriodSchema).check(
    z.minLength(1, 'at least one working period is required'),
    z.maxLength(12),
    z.superRefine((periods, ctx) => {
      let previousEnd = 0;
      periods.forEach((period, index) => {
        const start = minuteOfDay(period.start);
        const end = minuteOfDay(period.end);
        if (end <= start) {
          ctx.addIssue({ code: 'custom', message: 'period must end after it starts', path: [index] });
        } else if (start < previousEnd) {
          ctx.addIssue({
            code: 'custom',
            message: 'periods must be sorted and must not overlap',
            path: [index],
          });
        }
        previousEnd = Math.max(previousEnd, end);
      });
    }),
  ),
);

const weekdaysSchema = lazySchema(() =>
  z.array(z.int().check(z.gte(1), z.lte(7))).check(
    z.maxLength(7),
    z.refine((days) => new Set(days).size === days.length, 'weekdays must not repeat'),
  ),
);

/**
 * A working-time calendar. Every field has a default, so `{}` parses to {@link defaultCalendar}.
 * Unknown keys are rejected so a misspelt field cannot silently fall back to its default.
 */
export const WorkingCalendarSchema = lazySchema(() =>
  z
    .strictObject({
      /** IANA zone the working hours and dates are read in. */
      timezone: z._default(
        z.string().check(z.maxLength(64), z.refine(isKnownTimeZone, 'unknown IANA time zone')),
        DEFAULT_TIME_ZONE,
      ),
      /** Working periods of a working day, sorted and non-overlapping (a lunch break splits the day). */
      workingHours: z._default(workingHoursSchema, () => [{ start: '08:00', end: '18:00' }]),
      /** ISO weekdays worked by default, 1 = Monday … 7 = Sunday. */
      workingWeekdays: z._default(weekdaysSchema, () => [1, 2, 3, 4, 5]),
      /** Local dates not worked although their weekday is. */
      holidays: z._default(z.array(localDateSchema).check(z.maxLength(MAX_DATES)), () => []),
      /** Local dates worked although their weekday is not (Chinese make-up working days, 调休). */
      makeUpWorkingDays: z._default(z.array(localDateSchema).check(z.maxLength(MAX_DATES)), () => []),
    })
    .check(
      z.superRefine((cal, ctx) => {
        if (cal.workingWeekdays.length === 0 && cal.makeUpWorkingDays.length === 0) {
          ctx.addIssue({
            code: 'custom',
            message: 'a calendar needs working weekdays or make-up working days',
            path: ['workingWeekdays'],
          });
        }
        const holidays = new Set(cal.holidays);
        cal.makeUpWorkingDays.forEach((date, index) => {
          if (holidays.has(date)) {
            ctx.addIssue({
              code: 'custom',
              message: `${date} is both a holiday and a make-up working day`,
              path: ['makeUpWorkingDays', index],
            });
          }
        });
      }),
    ),
);

/** One working period of a day, `HH:mm` local times, `[start, end)`. */
export interface WorkingPeriod {
  readonly start: string;
  readonly end: string;
}

/** A validated calendar (the output of {@link WorkingCalendarSchema}); treat it as immutable. */
export interface WorkingCalendar {
  readonly timezone: string;
  readonly workingHours: readonly WorkingPeriod[];
  readonly workingWeekdays: readonly number[];
  readonly holidays: readonly string[];
  readonly makeUpWorkingDays: readonly string[];
}

/** What a calendar may be written as in configuration, before defaults are applied. */
export type WorkingCalendarInput = z.input<typeof WorkingCalendarSchema>;

/** Validates a calendar and applies defaults; throws zod's error naming the offending field. */
export function parseCalendar(input: unknown): WorkingCalendar {
  return WorkingCalendarSchema.parse(input);
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) {
    if (typeof child === 'object' && child !== null) deepFreeze(child);
  }
  return Object.freeze(value);
}

let defaults: WorkingCalendar | undefined;
/**
 * SPEC §4 calendar: the default time zone (China), Monday–Friday 08:00–18:00, no holidays configured
 * (parsed on first use, not at import).
 */
export function defaultCalendar(): WorkingCalendar {
  defaults ??= deepFreeze(parseCalendar({}));
  return defaults;
}

/** A calendar prepared for repeated look-ups within one call. */
interface Compiled {
  readonly zone: string;
  /** Periods as [start, end) minutes of the day. */
  readonly periods: ReadonlyArray<readonly [number, number]>;
  readonly weekdays: ReadonlySet<number>;
  readonly holidays: ReadonlySet<string>;
  readonly makeUp: ReadonlySet<string>;
  /** Make-up days that are worked, ascending; the only working days when `weekdays` is empty. */
  readonly sortedMakeUp: readonly string[];
}

function compile(cal: WorkingCalendar): Compiled {
  const holidays = new Set(cal.holidays);
  return {
    zone: cal.timezone,
    periods: cal.workingHours.map((p) => [minuteOfDay(p.start), minuteOfDay(p.end)] as const),
    weekdays: new Set(cal.workingWeekdays),
    holidays,
    makeUp: new Set(cal.makeUpWorkingDays),
    sortedMakeUp: cal.makeUpWorkingDays.filter((d) => !holidays.has(d)).sort(),
  };
}

function toMillis(t: Date): number {
  const ms = t.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid Date');
  return ms;
}

function assertLocalDate(date: string): void {
  if (!isRealDate(date)) throw new RangeError(`expected a local date YYYY-MM-DD, got '${date}'`);
}

function shiftDate(date: string, days: number): string {
  // A civil date's arithmetic and weekday do not depend on the zone; UTC avoids DST entirely.
  return isoDateOf(utcMidnight(datePart(date, 0, 4), datePart(date, 5, 7), datePart(date, 8, 10) + days));
}

function weekdayOf(date: string): number {
  // ISO weekday: Monday 1 … Sunday 7.
  const day = new Date(
    utcMidnight(datePart(date, 0, 4), datePart(date, 5, 7), datePart(date, 8, 10)),
  ).getUTCDay();
  return day === 0 ? 7 : day;
}

function dayIsWorking(c: Compiled, date: string): boolean {
  if (c.holidays.has(date)) return false;
  return c.makeUp.has(date) || c.weekdays.has(weekdayOf(date));
}

function localDateAt(c: Compiled, ms: number): string {
  return isoDateOf(ms + offsetAt(c.zone, ms) * MS_PER_MINUTE);
}

/**
 * Epoch ms of a local wall-clock time, resolved as luxon's `DateTime.fromObject` resolves it (the
 * calendar was built on luxon; its answers stay the same): guess the zone's offset now, correct the guess
 * once, and in a time skipped by DST move forward. A time repeated by DST takes the offset in force now
 * when that one fits.
 */
function instantAt(c: Compiled, date: string, minute: number): number {
  const day = minute === MINUTES_PER_DAY ? shiftDate(date, 1) : date;
  const local =
    utcMidnight(datePart(day, 0, 4), datePart(day, 5, 7), datePart(day, 8, 10)) +
    (minute % MINUTES_PER_DAY) * MS_PER_MINUTE;
  const guess = offsetAt(c.zone, Date.now());
  let utc = local - guess * MS_PER_MINUTE;
  const second = offsetAt(c.zone, utc);
  if (second === guess) return utc;
  utc -= (second - guess) * MS_PER_MINUTE;
  const third = offsetAt(c.zone, utc);
  if (third === second) return utc;
  return local - Math.min(second, third) * MS_PER_MINUTE;
}

/** The working periods of a local date as [start, end) epoch ms; empty on a day off. */
function periodsOn(c: Compiled, date: string): Array<readonly [number, number]> {
  if (!dayIsWorking(c, date)) return [];
  return c.periods.map(([start, end]) => [instantAt(c, date, start), instantAt(c, date, end)] as const);
}

/**
 * The nearest working day strictly after (`step` 1) or before (`step` -1) `date`, or undefined when
 * the calendar has none. Bounded: with k holidays, any 7·(k+1) consecutive days hold a working weekday.
 */
function findWorkingDay(c: Compiled, date: string, step: 1 | -1): string | undefined {
  if (c.weekdays.size === 0) {
    return step === 1 ? c.sortedMakeUp.find((d) => d > date) : c.sortedMakeUp.findLast((d) => d < date);
  }
  const limit = 7 * (c.holidays.size + 1);
  let day = date;
  for (let i = 0; i < limit; i++) {
    day = shiftDate(day, step);
    if (dayIsWorking(c, day)) return day;
  }
  return undefined;
}

/** Working intervals [start, end) in epoch ms from `fromMs` on, clipped at `fromMs`; ends when none are left. */
function* workingIntervalsFrom(c: Compiled, fromMs: number): Generator<readonly [number, number]> {
  let date: string | undefined = localDateAt(c, fromMs);
  while (date !== undefined) {
    for (const [start, end] of periodsOn(c, date)) {
      if (end > fromMs) yield [Math.max(start, fromMs), end];
    }
    date = findWorkingDay(c, date, 1);
  }
}

function noWorkingTimeAfter(t: Date): WorkingCalendarError {
  return new WorkingCalendarError(`calendar has no working time after ${t.toISOString()}`);
}

/** Whether a local date is worked: make-up days are, holidays are not, otherwise by weekday. */
export function isWorkingDay(cal: WorkingCalendar, localDate: string): boolean {
  assertLocalDate(localDate);
  return dayIsWorking(compile(cal), localDate);
}

/** Whether `t` falls inside a working period (start inclusive, end exclusive). */
export function isWorkingInstant(cal: WorkingCalendar, t: Date): boolean {
  const c = compile(cal);
  const ms = toMillis(t);
  return periodsOn(c, localDateAt(c, ms)).some(([start, end]) => start <= ms && ms < end);
}

/** The local date of `t` in the calendar's time zone, `YYYY-MM-DD`. */
export function localDateOf(cal: WorkingCalendar, t: Date): string {
  return localDateAt(compile(cal), toMillis(t));
}

/** `t` itself when it is working time, otherwise the start of the next working period. */
export function nextWorkingStart(cal: WorkingCalendar, t: Date): Date {
  const first = workingIntervalsFrom(compile(cal), toMillis(t)).next();
  if (first.done) throw noWorkingTimeAfter(t);
  return new Date(first.value[0]);
}

/**
 * The instant at which `minutes` working minutes have elapsed after `start`. Counting begins at
 * {@link nextWorkingStart}, so 0 minutes outside working time gives the next working start. A
 * deadline falling exactly on a period end is that end (17:00 + 60 → 18:00 the same day), not the
 * next morning. Fractional minutes are honoured to the millisecond. Walks day by day, not minute by minute.
 */
export function addWorkingMinutes(cal: WorkingCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  }
  let remaining = Math.round(minutes * MS_PER_MINUTE);
  for (const [from, to] of workingIntervalsFrom(compile(cal), toMillis(start))) {
    if (remaining <= to - from) return new Date(from + remaining);
    remaining -= to - from;
  }
  throw noWorkingTimeAfter(start);
}

/**
 * Working minutes in `[from, to)`; 0 when `to <= from`. Not rounded: the result is fractional when
 * the bounds are not on whole minutes, so it inverts {@link addWorkingMinutes} exactly.
 */
export function workingMinutesBetween(cal: WorkingCalendar, from: Date, to: Date): number {
  const fromMs = toMillis(from);
  const toMs = toMillis(to);
  let total = 0;
  if (toMs <= fromMs) return total;
  for (const [start, end] of workingIntervalsFrom(compile(cal), fromMs)) {
    if (start >= toMs) break;
    total += Math.min(end, toMs) - start;
  }
  return total / MS_PER_MINUTE;
}

/**
 * The start of the first working period on `localDate`, or `null` when that date is not worked
 * (callers usually pair it with {@link nextWorkingDay}, e.g. for next-morning priority dispatch).
 */
export function startOfWorkingDay(cal: WorkingCalendar, localDate: string): Date | null {
  assertLocalDate(localDate);
  const first = periodsOn(compile(cal), localDate)[0];
  return first === undefined ? null : new Date(first[0]);
}

/** The nearest working day strictly after `localDate`; throws {@link WorkingCalendarError} if none. */
export function nextWorkingDay(cal: WorkingCalendar, localDate: string): string {
  assertLocalDate(localDate);
  const day = findWorkingDay(compile(cal), localDate, 1);
  if (day === undefined) throw new WorkingCalendarError(`calendar has no working day after ${localDate}`);
  return day;
}

/** The nearest working day strictly before `localDate`; throws {@link WorkingCalendarError} if none. */
export function previousWorkingDay(cal: WorkingCalendar, localDate: string): string {
  assertLocalDate(localDate);
  const day = findWorkingDay(compile(cal), localDate, -1);
  if (day === undefined) throw new WorkingCalendarError(`calendar has no working day before ${localDate}`);
  return day;
}
