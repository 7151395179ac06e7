/**
 * The time source of every operation. Lambda uses the system clock; the local system and tests can
 * move it (to walk an SLA ladder without sleeping). Only edges call `setClock`.
 */
let offsetMs = 0;
let frozen: number | undefined;

export function now(): Date {
  return new Date(frozen ?? Date.now() + offsetMs);
}

/** Test/local control: freeze at an instant, or advance by an offset from the real clock. */
export const clockControl = {
  freeze(at: Date): void {
    frozen = at.getTime();
  },
  advance(ms: number): void {
    if (frozen !== undefined) frozen += ms;
    else offsetMs += ms;
  },
  reset(): void {
    frozen = undefined;
    offsetMs = 0;
  },
};
