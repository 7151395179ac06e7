import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  addWorkingMinutes,
  defaultCalendar,
  isWorkingDay,
  isWorkingInstant,
  localDateOf,
  nextWorkingDay,
  nextWorkingStart,
  parseCalendar,
  previousWorkingDay,
  startOfWorkingDay,
  type WorkingCalendar,
  WorkingCalendarError,
  WorkingCalendarSchema,
  workingMinutesBetween,
} from '../../shared/sla/calendar.ts';

/** Mon–Fri 08:00–18:00 Asia/Shanghai. */
const shanghai = defaultCalendar();

/** National Day 2026-10-01..07 and New Year 2027-01-01 off; Saturdays 2026-09-26 and 2026-10-10 worked. */
const china2026 = parseCalendar({
  holidays: [
    '2026-10-01',
    '2026-10-02',
    '2026-10-03',
    '2026-10-04',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
    '2027-01-01',
  ],
  makeUpWorkingDays: ['2026-09-26', '2026-10-10'],
});

/** 08:00–12:00 and 13:00–18:00 (540 minutes a day). */
const lunchBreak = parseCalendar({
  workingHours: [
    { start: '08:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ],
});

/** Every day 08:00–18:00 in Berlin, so the DST Sundays are worked. */
const berlinEveryDay = parseCalendar({ timezone: 'Europe/Berlin', workingWeekdays: [1, 2, 3, 4, 5, 6, 7] });

/** Every day 00:00–06:00 in Berlin: the period itself spans the DST jump. */
const berlinNightShift = parseCalendar({
  timezone: 'Europe/Berlin',
  workingWeekdays: [1, 2, 3, 4, 5, 6, 7],
  workingHours: [{ start: '00:00', end: '06:00' }],
});

/** Only Saturday 2026-09-26 is ever worked. */
const singleMakeUpDay = parseCalendar({ workingWeekdays: [], makeUpWorkingDays: ['2026-09-26'] });

/** The instant as an ISO string with the calendar's local offset, e.g. `2026-01-06T08:30:00+08:00`. */
function local(cal: WorkingCalendar, t: Date): string | null {
  return DateTime.fromJSDate(t, { zone: cal.timezone }).toISO({ suppressMilliseconds: true });
}

describe('calendar schema', () => {
  it('fills every field with the SPEC §4 defaults when given an empty object', () => {
    // Prepare
    const input = {};

    // Act
    const cal = parseCalendar(input);

    // Assess
    expect(cal).toEqual({
      timezone: 'Asia/Shanghai',
      workingHours: [{ start: '08:00', end: '18:00' }],
      workingWeekdays: [1, 2, 3, 4, 5],
      holidays: [],
      makeUpWorkingDays: [],
    });
    expect(defaultCalendar()).toEqual(cal);
    expect(Object.isFrozen(defaultCalendar().workingHours)).toBe(true);
  });

  it.each([
    { name: 'a split day with a lunch break', input: { workingHours: lunchBreak.workingHours } },
    {
      name: 'touching periods',
      input: {
        workingHours: [
          { start: '08:00', end: '12:00' },
          { start: '12:00', end: '18:00' },
        ],
      },
    },
    { name: 'a period ending at 24:00', input: { workingHours: [{ start: '00:00', end: '24:00' }] } },
    {
      name: 'no weekdays but a make-up day',
      input: { workingWeekdays: [], makeUpWorkingDays: ['2026-09-26'] },
    },
    { name: 'a DST time zone', input: { timezone: 'Europe/Berlin' } },
  ])('accepts $name', ({ input }) => {
    // Act
    const result = WorkingCalendarSchema.safeParse(input);

    // Assess
    expect(result.success).toBe(true);
  });

  it.each([
    { name: 'an unknown time zone', input: { timezone: 'Mars/Olympus_Mons' }, path: ['timezone'] },
    { name: 'no working periods', input: { workingHours: [] }, path: ['workingHours'] },
    {
      name: 'a time without a leading zero',
      input: { workingHours: [{ start: '8:00', end: '18:00' }] },
      path: ['workingHours', 0, 'start'],
    },
    {
      name: 'an hour past 24',
      input: { workingHours: [{ start: '08:00', end: '25:00' }] },
      path: ['workingHours', 0, 'end'],
    },
    {
      name: 'a period ending before it starts',
      input: { workingHours: [{ start: '18:00', end: '08:00' }] },
      path: ['workingHours', 0],
    },
    {
      name: 'an empty period',
      input: { workingHours: [{ start: '08:00', end: '08:00' }] },
      path: ['workingHours', 0],
    },
    {
      name: 'overlapping periods',
      input: {
        workingHours: [
          { start: '08:00', end: '12:30' },
          { start: '12:00', end: '18:00' },
        ],
      },
      path: ['workingHours', 1],
    },
    {
      name: 'unsorted periods',
      input: {
        workingHours: [
          { start: '13:00', end: '18:00' },
          { start: '08:00', end: '12:00' },
        ],
      },
      path: ['workingHours', 1],
    },
    { name: 'weekday 0', input: { workingWeekdays: [0, 1] }, path: ['workingWeekdays', 0] },
    { name: 'weekday 8', input: { workingWeekdays: [1, 8] }, path: ['workingWeekdays', 1] },
    { name: 'a fractional weekday', input: { workingWeekdays: [1.5] }, path: ['workingWeekdays', 0] },
    { name: 'a repeated weekday', input: { workingWeekdays: [1, 1] }, path: ['workingWeekdays'] },
    { name: 'no working day at all', input: { workingWeekdays: [] }, path: ['workingWeekdays'] },
    { name: 'a non-existent holiday date', input: { holidays: ['2026-02-30'] }, path: ['holidays', 0] },
    { name: 'a holiday in another format', input: { holidays: ['2026/10/01'] }, path: ['holidays', 0] },
    {
      name: 'a date both holiday and make-up day',
      input: { holidays: ['2026-09-26'], makeUpWorkingDays: ['2026-09-26'] },
      path: ['makeUpWorkingDays', 0],
    },
    { name: 'a misspelt field', input: { holiday: ['2026-10-01'] }, path: [] },
  ])('rejects $name', ({ input, path }) => {
    // Act
    const result = WorkingCalendarSchema.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it('throws from parseCalendar on an invalid calendar', () => {
    // Act & Assess
    expect(() => parseCalendar({ timezone: 'Nowhere/Land' })).toThrow(/time zone/);
  });
});

describe('isWorkingDay', () => {
  it.each([
    { name: 'a Monday is worked', cal: shanghai, date: '2026-01-05', expected: true },
    { name: 'a Saturday is not worked', cal: shanghai, date: '2026-01-10', expected: false },
    { name: 'a National Day Thursday is not worked', cal: china2026, date: '2026-10-01', expected: false },
    { name: 'a make-up Saturday is worked', cal: china2026, date: '2026-09-26', expected: true },
    {
      name: 'the Sunday after a make-up Saturday is not',
      cal: china2026,
      date: '2026-09-27',
      expected: false,
    },
    {
      name: 'the first day after National Day is worked',
      cal: china2026,
      date: '2026-10-08',
      expected: true,
    },
    {
      name: 'a Sunday is worked on an every-day calendar',
      cal: berlinEveryDay,
      date: '2026-03-29',
      expected: true,
    },
  ])('$name', ({ cal, date, expected }) => {
    // Act
    const result = isWorkingDay(cal, date);

    // Assess
    expect(result).toBe(expected);
  });

  it('rejects a malformed local date', () => {
    // Act & Assess
    expect(() => isWorkingDay(shanghai, '2026-1-5')).toThrow(RangeError);
  });
});

describe('isWorkingInstant', () => {
  it.each([
    { name: 'the opening minute counts', cal: shanghai, t: '2026-01-05T08:00:00+08:00', expected: true },
    {
      name: 'a second before opening does not',
      cal: shanghai,
      t: '2026-01-05T07:59:59+08:00',
      expected: false,
    },
    { name: 'the last minute counts', cal: shanghai, t: '2026-01-05T17:59:00+08:00', expected: true },
    { name: 'closing time itself does not', cal: shanghai, t: '2026-01-05T18:00:00+08:00', expected: false },
    { name: 'a Saturday morning does not', cal: shanghai, t: '2026-01-10T10:00:00+08:00', expected: false },
    { name: 'the lunch break does not', cal: lunchBreak, t: '2026-01-05T12:30:00+08:00', expected: false },
    { name: 'after lunch counts', cal: lunchBreak, t: '2026-01-05T13:00:00+08:00', expected: true },
    { name: 'a make-up Saturday counts', cal: china2026, t: '2026-09-26T10:00:00+08:00', expected: true },
    { name: 'a holiday does not', cal: china2026, t: '2026-10-02T10:00:00+08:00', expected: false },
    {
      name: 'is read in the calendar zone (09:00 Shanghai is 02:00 Berlin)',
      cal: berlinEveryDay,
      t: '2026-01-05T09:00:00+08:00',
      expected: false,
    },
  ])('$name', ({ cal, t, expected }) => {
    // Act
    const result = isWorkingInstant(cal, new Date(t));

    // Assess
    expect(result).toBe(expected);
  });
});

describe('localDateOf', () => {
  it.each([
    {
      name: 'Shanghai is already on the next day',
      cal: shanghai,
      t: '2026-01-05T16:30:00Z',
      expected: '2026-01-06',
    },
    {
      name: 'Berlin is still on the same day',
      cal: berlinEveryDay,
      t: '2026-01-05T16:30:00Z',
      expected: '2026-01-05',
    },
    {
      name: 'Berlin summer time moves midnight',
      cal: berlinEveryDay,
      t: '2026-07-01T22:30:00Z',
      expected: '2026-07-02',
    },
  ])('$name', ({ cal, t, expected }) => {
    // Act
    const result = localDateOf(cal, new Date(t));

    // Assess
    expect(result).toBe(expected);
  });
});

describe('nextWorkingStart', () => {
  it.each([
    {
      name: 'returns a working instant itself',
      cal: shanghai,
      t: '2026-01-05T10:15:30+08:00',
      expected: '2026-01-05T10:15:30+08:00',
    },
    {
      name: 'moves early morning to opening',
      cal: shanghai,
      t: '2026-01-05T06:00:00+08:00',
      expected: '2026-01-05T08:00:00+08:00',
    },
    {
      name: 'moves closing time to next morning',
      cal: shanghai,
      t: '2026-01-05T18:00:00+08:00',
      expected: '2026-01-06T08:00:00+08:00',
    },
    {
      name: 'moves Friday night to Monday',
      cal: shanghai,
      t: '2026-01-09T20:00:00+08:00',
      expected: '2026-01-12T08:00:00+08:00',
    },
    {
      name: 'moves lunch to the afternoon period',
      cal: lunchBreak,
      t: '2026-01-05T12:00:00+08:00',
      expected: '2026-01-05T13:00:00+08:00',
    },
    {
      name: 'skips National Day',
      cal: china2026,
      t: '2026-10-01T09:00:00+08:00',
      expected: '2026-10-08T08:00:00+08:00',
    },
    {
      name: 'stops at a make-up Saturday',
      cal: china2026,
      t: '2026-09-25T19:00:00+08:00',
      expected: '2026-09-26T08:00:00+08:00',
    },
    {
      name: 'opens at 08:00 summer time on the spring-forward Sunday',
      cal: berlinEveryDay,
      t: '2026-03-29T01:00:00+01:00',
      expected: '2026-03-29T08:00:00+02:00',
    },
  ])('$name', ({ cal, t, expected }) => {
    // Act
    const result = nextWorkingStart(cal, new Date(t));

    // Assess
    expect(local(cal, result)).toBe(expected);
  });
});

describe('startOfWorkingDay', () => {
  it.each([
    {
      name: 'opening of a weekday',
      cal: shanghai,
      date: '2026-01-05',
      expected: '2026-01-05T08:00:00+08:00',
    },
    { name: 'null on a Saturday', cal: shanghai, date: '2026-01-10', expected: null },
    { name: 'null on a holiday', cal: china2026, date: '2026-10-05', expected: null },
    {
      name: 'opening of a make-up Saturday',
      cal: china2026,
      date: '2026-09-26',
      expected: '2026-09-26T08:00:00+08:00',
    },
    {
      name: 'the morning period of a split day',
      cal: lunchBreak,
      date: '2026-01-05',
      expected: '2026-01-05T08:00:00+08:00',
    },
    {
      name: 'summer time on the spring-forward day',
      cal: berlinEveryDay,
      date: '2026-03-29',
      expected: '2026-03-29T08:00:00+02:00',
    },
    {
      name: 'winter time on the fall-back day',
      cal: berlinEveryDay,
      date: '2026-10-25',
      expected: '2026-10-25T08:00:00+01:00',
    },
  ])('gives $name', ({ cal, date, expected }) => {
    // Act
    const result = startOfWorkingDay(cal, date);

    // Assess
    expect(result === null ? null : local(cal, result)).toBe(expected);
  });
});

describe('nextWorkingDay and previousWorkingDay', () => {
  it.each([
    {
      name: 'Friday to Monday',
      cal: shanghai,
      date: '2026-01-09',
      next: '2026-01-12',
      previous: '2026-01-08',
    },
    {
      name: 'Monday back to Friday',
      cal: shanghai,
      date: '2026-01-12',
      next: '2026-01-13',
      previous: '2026-01-09',
    },
    {
      name: 'over National Day',
      cal: china2026,
      date: '2026-10-03',
      next: '2026-10-08',
      previous: '2026-09-30',
    },
    {
      name: 'onto a make-up Saturday',
      cal: china2026,
      date: '2026-09-25',
      next: '2026-09-26',
      previous: '2026-09-24',
    },
    {
      name: 'over New Year and a weekend',
      cal: china2026,
      date: '2027-01-01',
      next: '2027-01-04',
      previous: '2026-12-31',
    },
    {
      name: 'onto the only make-up day',
      cal: singleMakeUpDay,
      date: '2026-09-20',
      next: '2026-09-26',
      previous: null,
    },
  ])('steps $name', ({ cal, date, next, previous }) => {
    // Act
    const after = nextWorkingDay(cal, date);
    const before = previous === null ? null : previousWorkingDay(cal, date);

    // Assess
    expect(after).toBe(next);
    expect(before).toBe(previous);
  });

  it('throws a calendar error when no working day is left', () => {
    // Act & Assess
    expect(() => nextWorkingDay(singleMakeUpDay, '2026-09-26')).toThrow(WorkingCalendarError);
    expect(() => previousWorkingDay(singleMakeUpDay, '2026-09-26')).toThrow(WorkingCalendarError);
  });
});

describe('addWorkingMinutes', () => {
  it.each([
    {
      name: 'stays within a period',
      cal: shanghai,
      start: '2026-01-05T10:00:00+08:00',
      minutes: 30,
      expected: '2026-01-05T10:30:00+08:00',
    },
    {
      name: 'ends exactly at closing on the same day',
      cal: shanghai,
      start: '2026-01-05T17:00:00+08:00',
      minutes: 60,
      expected: '2026-01-05T18:00:00+08:00',
    },
    {
      name: 'carries across the night',
      cal: shanghai,
      start: '2026-01-05T17:30:00+08:00',
      minutes: 60,
      expected: '2026-01-06T08:30:00+08:00',
    },
    {
      name: 'starts counting at opening when called early',
      cal: shanghai,
      start: '2026-01-05T06:00:00+08:00',
      minutes: 30,
      expected: '2026-01-05T08:30:00+08:00',
    },
    {
      name: 'starts counting next morning when called late',
      cal: shanghai,
      start: '2026-01-05T19:00:00+08:00',
      minutes: 30,
      expected: '2026-01-06T08:30:00+08:00',
    },
    {
      name: 'returns a working start unchanged for 0 minutes',
      cal: shanghai,
      start: '2026-01-05T10:00:00+08:00',
      minutes: 0,
      expected: '2026-01-05T10:00:00+08:00',
    },
    {
      name: 'returns the next opening for 0 minutes at closing',
      cal: shanghai,
      start: '2026-01-05T18:00:00+08:00',
      minutes: 0,
      expected: '2026-01-06T08:00:00+08:00',
    },
    {
      name: 'carries across the weekend',
      cal: shanghai,
      start: '2026-01-09T17:00:00+08:00',
      minutes: 120,
      expected: '2026-01-12T09:00:00+08:00',
    },
    {
      name: 'starts counting on Monday when called on Saturday',
      cal: shanghai,
      start: '2026-01-10T11:00:00+08:00',
      minutes: 60,
      expected: '2026-01-12T09:00:00+08:00',
    },
    {
      name: 'skips the National Day week',
      cal: china2026,
      start: '2026-09-30T17:00:00+08:00',
      minutes: 120,
      expected: '2026-10-08T09:00:00+08:00',
    },
    {
      name: 'works a make-up Saturday',
      cal: china2026,
      start: '2026-09-25T17:00:00+08:00',
      minutes: 120,
      expected: '2026-09-26T09:00:00+08:00',
    },
    {
      name: 'skips that Saturday without the make-up day',
      cal: shanghai,
      start: '2026-09-25T17:00:00+08:00',
      minutes: 120,
      expected: '2026-09-28T09:00:00+08:00',
    },
    {
      name: 'works the make-up Saturday after National Day',
      cal: china2026,
      start: '2026-10-09T17:00:00+08:00',
      minutes: 120,
      expected: '2026-10-10T09:00:00+08:00',
    },
    {
      name: 'crosses the year over New Year and a weekend',
      cal: china2026,
      start: '2026-12-31T17:00:00+08:00',
      minutes: 120,
      expected: '2027-01-04T09:00:00+08:00',
    },
    {
      name: 'skips the lunch break',
      cal: lunchBreak,
      start: '2026-01-05T11:30:00+08:00',
      minutes: 60,
      expected: '2026-01-05T13:30:00+08:00',
    },
    {
      name: 'starts after lunch when called during it',
      cal: lunchBreak,
      start: '2026-01-05T12:15:00+08:00',
      minutes: 30,
      expected: '2026-01-05T13:30:00+08:00',
    },
    {
      name: 'returns the afternoon start for 0 minutes at lunch',
      cal: lunchBreak,
      start: '2026-01-05T12:15:00+08:00',
      minutes: 0,
      expected: '2026-01-05T13:00:00+08:00',
    },
    {
      name: 'ends exactly at the lunch break',
      cal: lunchBreak,
      start: '2026-01-05T11:00:00+08:00',
      minutes: 60,
      expected: '2026-01-05T12:00:00+08:00',
    },
    {
      name: 'carries a split day across the night',
      cal: lunchBreak,
      start: '2026-01-05T17:30:00+08:00',
      minutes: 60,
      expected: '2026-01-06T08:30:00+08:00',
    },
    // 16 whole days of 600 minutes (Jan 5–26) then 400 minutes from 08:00 on the 17th working day.
    {
      name: 'skips whole days for 10 000 minutes',
      cal: shanghai,
      start: '2026-01-05T08:00:00+08:00',
      minutes: 10_000,
      expected: '2026-01-27T14:40:00+08:00',
    },
    // Sep 21–25, Sat 26, Sep 28–30, Oct 8–9, Sat 10, Oct 12–15 = 16 days, then 400 minutes on Oct 16.
    {
      name: 'skips holidays and works make-up days over 10 000 minutes',
      cal: china2026,
      start: '2026-09-21T08:00:00+08:00',
      minutes: 10_000,
      expected: '2026-10-16T14:40:00+08:00',
    },
    {
      name: 'honours fractional minutes',
      cal: shanghai,
      start: '2026-01-05T10:00:00+08:00',
      minutes: 1.5,
      expected: '2026-01-05T10:01:30+08:00',
    },
  ])('$name', ({ cal, start, minutes, expected }) => {
    // Act
    const result = addWorkingMinutes(cal, new Date(start), minutes);

    // Assess
    expect(local(cal, result)).toBe(expected);
  });

  it.each([
    {
      name: 'first response (30 min) to a late call',
      minutes: 30,
      start: '2026-01-05T17:45:00+08:00',
      expected: '2026-01-06T08:15:00+08:00',
    },
    {
      name: 'urban arrival (6 h) from a Monday 10:00 call',
      minutes: 360,
      start: '2026-01-05T10:00:00+08:00',
      expected: '2026-01-05T16:00:00+08:00',
    },
    {
      name: 'suburban arrival (7 h) from a Monday 10:00 call',
      minutes: 420,
      start: '2026-01-05T10:00:00+08:00',
      expected: '2026-01-05T17:00:00+08:00',
    },
    {
      name: 'urban arrival (6 h) from a Monday 15:00 call',
      minutes: 360,
      start: '2026-01-05T15:00:00+08:00',
      expected: '2026-01-06T11:00:00+08:00',
    },
    {
      name: 'suburban arrival (7 h) from a Monday 15:00 call',
      minutes: 420,
      start: '2026-01-05T15:00:00+08:00',
      expected: '2026-01-06T12:00:00+08:00',
    },
  ])('sets the SPEC §4 deadline for $name', ({ minutes, start, expected }) => {
    // Act
    const result = addWorkingMinutes(shanghai, new Date(start), minutes);

    // Assess
    expect(local(shanghai, result)).toBe(expected);
  });

  it.each([
    { name: 'urban arrival (6 h)', minutes: 360, expected: '2026-01-05T17:00:00+08:00' },
    { name: 'suburban arrival (7 h)', minutes: 420, expected: '2026-01-05T18:00:00+08:00' },
  ])('sets $name from a Monday 10:00 call around the lunch break', ({ minutes, expected }) => {
    // Prepare
    const call = new Date('2026-01-05T10:00:00+08:00');

    // Act
    const result = addWorkingMinutes(lunchBreak, call, minutes);

    // Assess
    expect(local(lunchBreak, result)).toBe(expected);
  });

  it.each([
    {
      name: 'into the spring-forward Sunday',
      start: '2026-03-28T17:00:00+01:00',
      minutes: 120,
      expected: '2026-03-29T09:00:00+02:00',
    },
    {
      name: 'through the whole spring-forward Sunday',
      start: '2026-03-29T08:00:00+02:00',
      minutes: 600,
      expected: '2026-03-29T18:00:00+02:00',
    },
    {
      name: 'out of the spring-forward Sunday',
      start: '2026-03-29T17:00:00+02:00',
      minutes: 120,
      expected: '2026-03-30T09:00:00+02:00',
    },
    {
      name: 'over two days across spring-forward',
      start: '2026-03-28T08:00:00+01:00',
      minutes: 1200,
      expected: '2026-03-29T18:00:00+02:00',
    },
    {
      name: 'into the fall-back Sunday',
      start: '2026-10-24T17:00:00+02:00',
      minutes: 120,
      expected: '2026-10-25T09:00:00+01:00',
    },
    {
      name: 'through the whole fall-back Sunday',
      start: '2026-10-25T08:00:00+01:00',
      minutes: 600,
      expected: '2026-10-25T18:00:00+01:00',
    },
  ])('keeps Berlin working hours on wall-clock time $name', ({ start, minutes, expected }) => {
    // Act
    const result = addWorkingMinutes(berlinEveryDay, new Date(start), minutes);

    // Assess
    expect(local(berlinEveryDay, result)).toBe(expected);
  });

  it.each([
    { name: 'negative minutes', minutes: -1 },
    { name: 'NaN minutes', minutes: Number.NaN },
    { name: 'infinite minutes', minutes: Number.POSITIVE_INFINITY },
  ])('rejects $name', ({ minutes }) => {
    // Act & Assess
    expect(() => addWorkingMinutes(shanghai, new Date('2026-01-05T10:00:00+08:00'), minutes)).toThrow(
      RangeError,
    );
  });

  it('rejects an invalid Date', () => {
    // Act & Assess
    expect(() => addWorkingMinutes(shanghai, new Date('not a date'), 10)).toThrow(RangeError);
  });

  it('throws a calendar error instead of looping when working time runs out', () => {
    // Prepare
    const afterLastMakeUpDay = new Date('2026-09-26T18:00:00+08:00');
    const unvalidated: WorkingCalendar = { ...defaultCalendar(), workingWeekdays: [] };

    // Act & Assess
    expect(() => addWorkingMinutes(singleMakeUpDay, afterLastMakeUpDay, 120)).toThrow(WorkingCalendarError);
    expect(() => nextWorkingStart(singleMakeUpDay, afterLastMakeUpDay)).toThrow(WorkingCalendarError);
    expect(() => addWorkingMinutes(unvalidated, afterLastMakeUpDay, 1)).toThrow(WorkingCalendarError);
  });
});

describe('workingMinutesBetween', () => {
  it.each([
    {
      name: 'is 0 when to equals from',
      cal: shanghai,
      from: '2026-01-05T10:00:00+08:00',
      to: '2026-01-05T10:00:00+08:00',
      expected: 0,
    },
    {
      name: 'is 0 when to is before from',
      cal: shanghai,
      from: '2026-01-05T12:00:00+08:00',
      to: '2026-01-05T10:00:00+08:00',
      expected: 0,
    },
    {
      name: 'counts within a period',
      cal: shanghai,
      from: '2026-01-05T09:00:00+08:00',
      to: '2026-01-05T10:30:00+08:00',
      expected: 90,
    },
    {
      name: 'counts across the night',
      cal: shanghai,
      from: '2026-01-05T17:00:00+08:00',
      to: '2026-01-06T09:00:00+08:00',
      expected: 120,
    },
    {
      name: 'counts a whole week',
      cal: shanghai,
      from: '2026-01-05T00:00:00+08:00',
      to: '2026-01-12T00:00:00+08:00',
      expected: 3000,
    },
    {
      name: 'is 0 over a weekend',
      cal: shanghai,
      from: '2026-01-10T10:00:00+08:00',
      to: '2026-01-11T10:00:00+08:00',
      expected: 0,
    },
    {
      name: 'is 0 over National Day',
      cal: china2026,
      from: '2026-10-01T00:00:00+08:00',
      to: '2026-10-08T00:00:00+08:00',
      expected: 0,
    },
    {
      name: 'counts a make-up Saturday',
      cal: china2026,
      from: '2026-09-26T00:00:00+08:00',
      to: '2026-09-27T00:00:00+08:00',
      expected: 600,
    },
    {
      name: 'excludes the lunch break',
      cal: lunchBreak,
      from: '2026-01-05T11:00:00+08:00',
      to: '2026-01-05T14:00:00+08:00',
      expected: 120,
    },
    {
      name: 'counts a split day',
      cal: lunchBreak,
      from: '2026-01-05T00:00:00+08:00',
      to: '2026-01-06T00:00:00+08:00',
      expected: 540,
    },
    {
      name: 'returns fractional minutes',
      cal: shanghai,
      from: '2026-01-05T10:00:00+08:00',
      to: '2026-01-05T10:00:30+08:00',
      expected: 0.5,
    },
    {
      name: 'counts 600 on the 23-hour spring-forward day',
      cal: berlinEveryDay,
      from: '2026-03-29T00:00:00+01:00',
      to: '2026-03-30T00:00:00+02:00',
      expected: 600,
    },
    {
      name: 'counts 600 on the 25-hour fall-back day',
      cal: berlinEveryDay,
      from: '2026-10-25T00:00:00+02:00',
      to: '2026-10-26T00:00:00+01:00',
      expected: 600,
    },
    {
      name: 'counts elapsed time in a period spanning spring-forward',
      cal: berlinNightShift,
      from: '2026-03-29T00:00:00+01:00',
      to: '2026-03-30T00:00:00+02:00',
      expected: 300,
    },
    {
      name: 'counts elapsed time in a period spanning fall-back',
      cal: berlinNightShift,
      from: '2026-10-25T00:00:00+02:00',
      to: '2026-10-26T00:00:00+01:00',
      expected: 420,
    },
    {
      name: 'stops after the last make-up day instead of throwing',
      cal: singleMakeUpDay,
      from: '2026-09-01T00:00:00+08:00',
      to: '2026-12-31T00:00:00+08:00',
      expected: 600,
    },
  ])('$name', ({ cal, from, to, expected }) => {
    // Act
    const result = workingMinutesBetween(cal, new Date(from), new Date(to));

    // Assess
    expect(result).toBe(expected);
  });

  const starts = [
    '2026-01-05T10:00:00+08:00',
    '2026-01-09T17:45:00+08:00',
    '2026-01-10T12:00:00+08:00',
    '2026-01-05T12:20:00+08:00',
    '2026-09-30T19:00:00+08:00',
    '2026-12-31T23:00:00+08:00',
  ];
  const durations = [0, 1, 59.5, 540, 600, 601, 1234.5, 10_000];
  const calendars = [
    { calendar: 'china2026', cal: china2026 },
    { calendar: 'lunchBreak', cal: lunchBreak },
  ];
  const roundTrips = calendars.flatMap(({ calendar, cal }) =>
    starts.flatMap((start) =>
      durations.map((minutes) => ({ calendar, cal, start, minutes, label: String(minutes) })),
    ),
  );

  it.each(roundTrips)(
    'measures $label min back from addWorkingMinutes from $start on $calendar',
    ({ cal, start, minutes }) => {
      // Prepare
      const from = new Date(start);
      const deadline = addWorkingMinutes(cal, from, minutes);

      // Act
      const measured = workingMinutesBetween(cal, from, deadline);

      // Assess
      expect(measured).toBe(minutes);
    },
  );

  it.each([
    { start: '2026-01-09T17:45:00+08:00', end: '2026-01-12T08:10:00+08:00' },
    { start: '2026-09-30T11:00:00+08:00', end: '2026-10-10T16:59:00+08:00' },
    { start: '2026-01-05T12:20:00+08:00', end: '2026-01-20T13:05:00+08:00' },
  ])('lands addWorkingMinutes back on a working instant $end measured from $start', ({ start, end }) => {
    // Prepare
    const from = new Date(start);
    const to = new Date(end);
    const minutes = workingMinutesBetween(china2026, from, to);

    // Act
    const result = addWorkingMinutes(china2026, from, minutes);

    // Assess
    expect(result.toISOString()).toBe(to.toISOString());
  });
});

describe('zone arithmetic, checked against luxon', () => {
  // The calendar resolves local times with Intl's zone data; luxon (which it replaced) is the oracle.
  const zones = [
    'Asia/Shanghai',
    'America/New_York',
    'America/Sao_Paulo',
    'America/St_Johns',
    'Europe/London',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'Pacific/Chatham',
    'Asia/Kolkata',
    'Africa/Casablanca',
  ];
  const zone = fc.constantFrom(...zones);
  const instant = fc.date({
    min: new Date('1995-01-01T00:00:00Z'),
    max: new Date('2045-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  const HOUR = 60;

  it('gives the local date of any instant as luxon does', () => {
    fc.assert(
      fc.property(zone, instant, (timezone, t) => {
        const cal = parseCalendar({ timezone, workingWeekdays: [1, 2, 3, 4, 5, 6, 7] });
        expect(localDateOf(cal, t)).toBe(DateTime.fromJSDate(t, { zone: timezone }).toISODate());
      }),
      { numRuns: 3000 },
    );
  });

  it('places the start of a working day as luxon places that wall-clock time, DST gaps and overlaps included', () => {
    // Local dates around every DST change of the years, at any minute of the night and day.
    const day = fc
      .record({ year: fc.integer({ min: 1995, max: 2045 }), month: fc.integer({ min: 1, max: 12 }) })
      .chain(({ year, month }) =>
        fc.integer({ min: 1, max: 28 }).map((d) => `${year}-${pad(month)}-${pad(d)}`),
      );
    // The days a zone changes its offset, 2020–2029 (luxon's own view of them).
    const changeDays = zones.flatMap((z) => {
      const days: Array<[string, string]> = [];
      let noon = DateTime.fromObject({ year: 2020, month: 1, day: 1, hour: 12 }, { zone: z });
      for (let i = 0; i < 3653; i++) {
        const next = noon.plus({ days: 1 });
        if (next.offset !== noon.offset) days.push([z, next.toISODate() as string]);
        noon = next;
      }
      return days;
    });
    expect(changeDays.length).toBeGreaterThan(100);
    const zoneDay = fc.oneof(fc.tuple(zone, day), fc.constantFrom(...changeDays));
    const minute = fc.integer({ min: 0, max: 24 * HOUR - 2 });
    fc.assert(
      fc.property(zoneDay, minute, ([timezone, date], m) => {
        const start = `${pad(Math.floor(m / HOUR))}:${pad(m % HOUR)}`;
        const cal = parseCalendar({
          timezone,
          workingWeekdays: [1, 2, 3, 4, 5, 6, 7],
          workingHours: [{ start, end: '24:00' }],
        });
        const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
        const expected = DateTime.fromObject(
          { year: y, month: mo, day: d, hour: Math.floor(m / HOUR), minute: m % HOUR },
          { zone: timezone },
        ).toMillis();
        expect(startOfWorkingDay(cal, date)?.getTime()).toBe(expected);
      }),
      { numRuns: 6000 },
    );
  });
});

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
