/** Case numbers: `SR-YYYYMMDD-NNNN`, the day in the branch's timezone, NNNN from an atomic daily counter. */

/** Building an Intl formatter costs far more than using one: keep one per timezone. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The local calendar day `YYYY-MM-DD` of `at` in `timeZone` (Intl, no library needed for a date). */
export function localDay(at: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

/** Formats the n-th case of `day`; more than 9999 a day simply widens the number. */
export function formatCaseNumber(prefix: string, day: string, sequence: number): string {
  if (!Number.isInteger(sequence) || sequence < 1) throw new RangeError(`bad sequence ${sequence}`);
  return `${prefix}-${day.replaceAll('-', '')}-${String(sequence).padStart(4, '0')}`;
}

export const caseNumberPattern = /^SR-\d{8}-\d{4,}$/;
