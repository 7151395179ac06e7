import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { OUTBOX_MARKER } from '../../events/outbox.ts';
import { domainEvent } from '../../events/registry.ts';
import { CorruptItemError, parseItem } from '../../shared/store/item.ts';
import { insert, insertOutbox, UnitOfWork } from '../../shared/store/unit-of-work.ts';

const calendarChanged = (branchId: string) =>
  domainEvent('SLA Calendar Changed', {
    branchId,
    at: '2026-11-23T01:00:00.000Z',
    actor: { sub: 'm', role: 'manager' },
  });

describe('unit of work', () => {
  it('puts the emitted events on the outbox carrier, after its own, marked for the relay', () => {
    // Prepare
    const own = calendarChanged('a');
    const unit = new UnitOfWork()
      .add(insert({ pk: 'P#1', sk: 'X' }), insertOutbox({ pk: 'P#1', sk: 'Y', outbox: [own] }))
      .emit(calendarChanged('b'), calendarChanged('c'));

    // Act
    const [plain, carrier] = unit.resolved();

    // Assess
    expect(plain).toEqual({
      kind: 'put',
      item: { pk: 'P#1', sk: 'X' },
      condition: 'attribute_not_exists(pk)',
    });
    expect(carrier?.kind === 'put' && carrier.item).toMatchObject({
      outbox: [own, calendarChanged('b'), calendarChanged('c')],
      [OUTBOX_MARKER]: 3,
    });
  });

  it('refuses events with no inserted item to carry them, and a second carrier', () => {
    expect(() =>
      new UnitOfWork()
        .add(insert({ pk: 'a', sk: 'b' }))
        .emit(calendarChanged('a'))
        .resolved(),
    ).toThrow(/ride on/);
    expect(() =>
      new UnitOfWork().add(insertOutbox({ pk: 'a', sk: 'b' }), insertOutbox({ pk: 'a', sk: 'c' })).resolved(),
    ).toThrow(/one outbox carrier/);
  });

  it('leaves a carrier without events as it is (nothing for the relay)', () => {
    const [carrier] = new UnitOfWork().add(insertOutbox({ pk: 'a', sk: 'b' })).resolved();
    expect(carrier?.kind === 'put' && carrier.item).toEqual({ pk: 'a', sk: 'b' });
  });
});

describe('parsed reads', () => {
  const schema = z.object({ entity: z.literal('Thing'), n: z.number() });

  it('returns the item without its keys, as its schema reads it', () => {
    expect(
      parseItem(schema, { pk: 'T#1', sk: 'T', gsi2pk: 'x', gsi2sk: 'y', entity: 'Thing', n: 1 }),
    ).toEqual({
      entity: 'Thing',
      n: 1,
    });
  });

  it('treats an item that does not match its schema as corrupt, naming where it is', () => {
    expect(() => parseItem(schema, { pk: 'T#1', sk: 'T', entity: 'Thing', n: 'one' })).toThrow(
      CorruptItemError,
    );
    expect(() => parseItem(schema, { pk: 'T#1', sk: 'T', entity: 'Thing' })).toThrow(/T#1 \/ T/);
  });
});
