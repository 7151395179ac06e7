import { describe, expect, it } from 'vitest';
import { defaultCalendar } from '../../shared/sla/calendar.ts';
import {
  type CaseFacts,
  computeMilestones,
  type Milestone,
  type TimelineFact,
} from '../../shared/sla/milestones.ts';
import { defaultPolicy, parsePolicy } from '../../shared/sla/policy.ts';

/** Asia/Shanghai wall-clock time → ISO instant (UTC+8, no DST). 2026-11-23 is a Monday. */
const sh = (local: string) => new Date(`${local}:00+08:00`).toISOString();

const opened = (at: string, overrides: Partial<CaseFacts> = {}): CaseFacts => ({
  createdAt: sh(at),
  zone: 'urban',
  emergency: false,
  ...overrides,
});

function timeline(...entries: Array<[string, string, string?, string?]>): TimelineFact[] {
  return entries.map(([at, action, from, to], i) => ({
    seq: i + 1,
    at: sh(at),
    action,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  }));
}

const justOpened = (at: string) => timeline([at, 'opened', undefined, 'received']);

function milestone(list: Milestone[], kind: Milestone['kind']): Milestone {
  const m = list.find((x) => x.kind === kind);
  if (!m) throw new Error(`no ${kind} milestone`);
  return m;
}

const fireTimes = (m: Milestone) => Object.fromEntries(m.steps.map((s) => [s.id, s.fireAt]));

describe('arrival due time by zone and emergency', () => {
  it.each([
    { name: 'urban: 6 working hours', at: '2026-11-23T09:00', facts: {}, due: '2026-11-23T15:00' },
    {
      name: 'suburban: 7 working hours',
      at: '2026-11-23T09:00',
      facts: { zone: 'suburban' as const },
      due: '2026-11-23T16:00',
    },
    {
      name: 'emergency: 24 calendar hours, whatever the zone',
      at: '2026-11-23T09:00',
      facts: { emergency: true, zone: 'suburban' as const },
      due: '2026-11-24T09:00',
    },
    { name: 'urban across the night', at: '2026-11-23T16:00', facts: {}, due: '2026-11-24T12:00' },
    { name: 'urban across the weekend', at: '2026-11-27T17:00', facts: {}, due: '2026-11-30T13:00' },
    {
      name: 'urban, called in at night: counted from the next morning',
      at: '2026-11-23T22:00',
      facts: {},
      due: '2026-11-24T14:00',
    },
    {
      name: 'emergency over the weekend keeps counting calendar hours',
      at: '2026-11-28T10:00',
      facts: { emergency: true },
      due: '2026-11-29T10:00',
    },
  ])('$name', ({ at, facts, due }) => {
    // Prepare
    const c = opened(at, facts);

    // Act
    const arrival = milestone(
      computeMilestones(c, justOpened(at), defaultPolicy(), defaultCalendar(), new Date(c.createdAt)),
      'arrival',
    );

    // Assess
    expect(arrival.dueAt).toBe(sh(due));
    expect(arrival.status).toBe('running');
  });

  it('puts the ladder at 50 %, 75 %, the due time and 2 working hours after it', () => {
    // Prepare
    const c = opened('2026-11-23T09:00');

    // Act
    const arrival = milestone(
      computeMilestones(
        c,
        justOpened('2026-11-23T09:00'),
        defaultPolicy(),
        defaultCalendar(),
        new Date(c.createdAt),
      ),
      'arrival',
    );

    // Assess
    expect(fireTimes(arrival)).toEqual({
      p50: sh('2026-11-23T12:00'),
      p75: sh('2026-11-23T13:30'),
      breach: sh('2026-11-23T15:00'),
      mgr: sh('2026-11-23T17:00'),
    });
  });

  it('gives the first response 30 working minutes', () => {
    // Prepare
    const c = opened('2026-11-23T17:50');

    // Act
    const first = milestone(
      computeMilestones(
        c,
        justOpened('2026-11-23T17:50'),
        defaultPolicy(),
        defaultCalendar(),
        new Date(c.createdAt),
      ),
      'first_response',
    );

    // Assess
    expect(first.dueAt).toBe(sh('2026-11-24T08:20'));
  });
});

describe('meeting milestones', () => {
  it('meets the first response with the assignment, on time, counting the working minutes it took', () => {
    // Prepare
    const c = opened('2026-11-23T09:00');
    const tl = timeline(
      ['2026-11-23T09:00', 'opened', undefined, 'received'],
      ['2026-11-23T09:20', 'assign', 'received', 'assigned'],
    );

    // Act
    const first = milestone(
      computeMilestones(c, tl, defaultPolicy(), defaultCalendar(), new Date(sh('2026-11-23T12:00'))),
      'first_response',
    );

    // Assess
    expect(first).toMatchObject({
      status: 'met',
      metAt: sh('2026-11-23T09:20'),
      breached: false,
      activeMinutes: 20,
    });
  });

  it('flags a late first response as breached', () => {
    // Prepare
    const c = opened('2026-11-23T09:00');
    const tl = timeline(
      ['2026-11-23T09:00', 'opened', undefined, 'received'],
      ['2026-11-23T09:45', 'assign', 'received', 'assigned'],
    );

    // Act
    const first = milestone(
      computeMilestones(c, tl, defaultPolicy(), defaultCalendar(), new Date(sh('2026-11-23T12:00'))),
      'first_response',
    );

    // Assess
    expect(first).toMatchObject({ status: 'met', breached: true, activeMinutes: 45 });
  });

  it('meets arrival with on_site and starts the repair clock at the diagnosis', () => {
    // Prepare
    const c = opened('2026-11-23T09:00');
    const tl = timeline(
      ['2026-11-23T09:00', 'opened', undefined, 'received'],
      ['2026-11-23T09:10', 'assign', 'received', 'assigned'],
      ['2026-11-23T10:00', 'depart', 'assigned', 'en_route'],
      ['2026-11-23T11:00', 'arrive', 'en_route', 'on_site'],
      ['2026-11-23T11:30', 'diagnose'],
    );

    // Act
    const all = computeMilestones(
      c,
      tl,
      defaultPolicy(),
      defaultCalendar(),
      new Date(sh('2026-11-23T12:00')),
    );

    // Assess
    expect(milestone(all, 'arrival')).toMatchObject({
      status: 'met',
      metAt: sh('2026-11-23T11:00'),
      breached: false,
    });
    expect(milestone(all, 'repair_completion')).toMatchObject({
      status: 'running',
      startedAt: sh('2026-11-23T11:30'),
      dueAt: sh('2026-11-26T11:30'),
    });
    expect(all.map((m) => m.kind)).not.toContain('workshop_repair');
  });

  it('holds the repair to the working time promised at diagnosis instead of the policy default', () => {
    // Prepare: 240 working minutes promised at 11:30 Monday → 15:30 Monday (no lunch break by default)
    const c = opened('2026-11-23T09:00', { diagnosis: { promisedWorkingMinutes: 240 } });
    const tl = timeline(
      ['2026-11-23T09:00', 'opened', undefined, 'received'],
      ['2026-11-23T09:10', 'assign', 'received', 'assigned'],
      ['2026-11-23T11:30', 'diagnose'],
    );

    // Act
    const all = computeMilestones(
      c,
      tl,
      defaultPolicy(),
      defaultCalendar(),
      new Date(sh('2026-11-23T16:00')),
    );

    // Assess
    expect(milestone(all, 'repair_completion')).toMatchObject({
      budgetMinutes: 240,
      dueAt: sh('2026-11-23T15:30'),
      breached: true,
    });
  });

  it('drops arrival when the item is carried into the workshop, and runs the workshop clock with a supervisor-only ladder', () => {
    // Prepare
    const c = opened('2026-11-23T09:00');
    const tl = timeline(
      ['2026-11-23T09:00', 'opened', undefined, 'received'],
      ['2026-11-23T09:30', 'workshop-check-in', 'received', 'in_workshop'],
    );

    // Act
    const all = computeMilestones(
      c,
      tl,
      defaultPolicy(),
      defaultCalendar(),
      new Date(sh('2026-11-23T10:00')),
    );

    // Assess
    expect(milestone(all, 'arrival')).toMatchObject({ status: 'cancelled', breached: false });
    expect(milestone(all, 'first_response')).toMatchObject({ status: 'met' });
    const workshop = milestone(all, 'workshop_repair');
    expect(workshop).toMatchObject({ status: 'running', dueAt: sh('2026-11-30T09:30') });
    expect(workshop.steps.map((s) => [s.id, s.notify])).toEqual([['breach', 'supervisor']]);
  });

  it('reports an unmet milestone past its due time as breached', () => {
    // Prepare
    const c = opened('2026-11-23T09:00');

    // Act
    const all = computeMilestones(
      c,
      justOpened('2026-11-23T09:00'),
      defaultPolicy(),
      defaultCalendar(),
      new Date(sh('2026-11-23T15:01')),
    );

    // Assess
    expect(milestone(all, 'arrival')).toMatchObject({ status: 'running', breached: true });
  });
});

describe('pause and resume', () => {
  const base = [
    ['2026-11-23T09:00', 'opened', undefined, 'received'],
    ['2026-11-23T09:10', 'assign', 'received', 'assigned'],
  ] as Array<[string, string, string?, string?]>;

  it('stops the clock while awaiting the customer and moves the due time by the paused working time', () => {
    // Prepare: on hold from Monday 10:00 to Tuesday 10:00 (600 working minutes)
    const c = opened('2026-11-23T09:00');
    const tl = timeline(
      ...base,
      ['2026-11-23T10:00', 'hold', 'assigned', 'awaiting_customer'],
      ['2026-11-24T10:00', 'resume', 'awaiting_customer', 'assigned'],
    );

    // Act
    const arrival = milestone(
      computeMilestones(c, tl, defaultPolicy(), defaultCalendar(), new Date(sh('2026-11-24T11:00'))),
      'arrival',
    );

    // Assess: 60 minutes ran before the hold, the other 300 from Tuesday 10:00
    expect(arrival).toMatchObject({
      status: 'running',
      dueAt: sh('2026-11-24T15:00'),
      pausedMinutes: 600,
      activeMinutes: 120,
    });
    expect(fireTimes(arrival)).toMatchObject({ p50: sh('2026-11-24T12:00'), breach: sh('2026-11-24T15:00') });
  });

  it('has no due time while on hold, but keeps the steps already passed', () => {
    // Prepare: the hold starts after 50 % was used up
    const c = opened('2026-11-23T09:00');
    const tl = timeline(...base, ['2026-11-23T12:30', 'hold', 'assigned', 'awaiting_customer']);

    // Act
    const arrival = milestone(
      computeMilestones(c, tl, defaultPolicy(), defaultCalendar(), new Date(sh('2026-11-25T09:00'))),
      'arrival',
    );

    // Assess
    expect(arrival.status).toBe('paused');
    expect(arrival.dueAt).toBeUndefined();
    expect(arrival.breached).toBe(false);
    expect(fireTimes(arrival)).toEqual({
      p50: sh('2026-11-23T12:00'),
      p75: undefined,
      breach: undefined,
      mgr: undefined,
    });
  });

  it('pauses an emergency clock in calendar time', () => {
    // Prepare
    const c = opened('2026-11-23T09:00', { emergency: true });
    const tl = timeline(
      ...base,
      ['2026-11-23T10:00', 'hold', 'assigned', 'awaiting_customer'],
      ['2026-11-23T13:00', 'resume', 'awaiting_customer', 'assigned'],
    );

    // Act
    const arrival = milestone(
      computeMilestones(c, tl, defaultPolicy(), defaultCalendar(), new Date(sh('2026-11-23T14:00'))),
      'arrival',
    );

    // Assess
    expect(arrival).toMatchObject({ clock: 'calendar', dueAt: sh('2026-11-24T12:00'), pausedMinutes: 180 });
  });
});

describe('recompute on a zone or emergency change', () => {
  // Opened Monday 09:00, on hold 10:00–11:00: one working hour paused.
  const tl = timeline(
    ['2026-11-23T09:00', 'opened', undefined, 'received'],
    ['2026-11-23T09:10', 'assign', 'received', 'assigned'],
    ['2026-11-23T10:00', 'hold', 'assigned', 'awaiting_customer'],
    ['2026-11-23T11:00', 'resume', 'awaiting_customer', 'assigned'],
    ['2026-11-23T11:30', 'update-details'],
  );
  const at = new Date(sh('2026-11-23T11:30'));

  it.each([
    { name: 'urban as opened', facts: {}, due: '2026-11-23T16:00', clock: 'working' },
    {
      name: 'changed to suburban: 7 hours, same start, same pause',
      facts: { zone: 'suburban' as const },
      due: '2026-11-23T17:00',
      clock: 'working',
    },
    {
      name: 'changed to emergency: 24 calendar hours plus the paused hour',
      facts: { emergency: true },
      due: '2026-11-24T10:00',
      clock: 'calendar',
    },
  ])('$name', ({ facts, due, clock }) => {
    // Prepare
    const c = opened('2026-11-23T09:00', facts);

    // Act
    const arrival = milestone(computeMilestones(c, tl, defaultPolicy(), defaultCalendar(), at), 'arrival');

    // Assess
    expect(arrival).toMatchObject({ dueAt: sh(due), clock, startedAt: sh('2026-11-23T09:00') });
    expect(arrival.pausedMinutes).toBe(60);
  });
});

describe('policies as data', () => {
  it('applies a branch policy: shorter limits and its own ladder', () => {
    // Prepare
    const policy = parsePolicy({
      arrivalMinutes: { urban: 60, suburban: 90 },
      ladder: [
        { id: 'half', percent: 50, notify: 'dispatcher', level: 'warning' },
        { id: 'late', percent: 100, notify: 'supervisor', level: 'breach' },
      ],
    });
    const c = opened('2026-11-23T09:00');

    // Act
    const arrival = milestone(
      computeMilestones(c, justOpened('2026-11-23T09:00'), policy, defaultCalendar(), new Date(c.createdAt)),
      'arrival',
    );

    // Assess
    expect(arrival.dueAt).toBe(sh('2026-11-23T10:00'));
    expect(fireTimes(arrival)).toEqual({ half: sh('2026-11-23T09:30'), late: sh('2026-11-23T10:00') });
  });

  it('refuses a ladder with repeated step ids, naming the field', () => {
    // Act
    const attempt = () =>
      parsePolicy({
        ladder: [
          { id: 'a', percent: 50, notify: 'dispatcher', level: 'warning' },
          { id: 'a', percent: 75, notify: 'dispatcher', level: 'urgent' },
        ],
      });

    // Assess
    expect(attempt).toThrow(/step ids must not repeat/);
  });

  it('defaults to the SPEC numbers', () => {
    // Assess
    expect(defaultPolicy()).toMatchObject({
      firstResponseMinutes: 30,
      arrivalMinutes: { urban: 360, suburban: 420 },
      emergencyArrivalHours: 24,
    });
    expect(defaultPolicy().ladder.map((s) => `${s.percent}%+${s.afterWorkingMinutes}→${s.notify}`)).toEqual([
      '50%+0→dispatcher',
      '75%+0→dispatcher',
      '100%+0→supervisor',
      '100%+120→manager',
    ]);
  });
});
