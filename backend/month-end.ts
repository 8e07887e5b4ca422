// Calendar arithmetic in an account's time zone: when does "end of this month" end?

// Building a formatter costs far more than using one; an account's zone is asked for again and again.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, year: "numeric", month: "numeric", day: "numeric" });
    formatters.set(tz, f);
  }
  return f;
}

const HOUR = 3_600_000;
const SECOND = 1_000;

/** The local calendar date of instant `ms` in `tz`, as the number yyyymmdd (so dates compare as numbers). */
function localDate(tz: string, ms: number): number {
  const parts = formatterFor(tz).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return get("year") * 10_000 + get("month") * 100 + get("day");
}

/** Local calendar year and month (1-12) of instant `at` in `tz`. */
export function localYearMonth(tz: string, at: Date): { year: number; month: number } {
  const date = localDate(tz, at.getTime());
  return { year: Math.floor(date / 10_000), month: Math.floor(date / 100) % 100 };
}

/** The offset of `tz` at instant `ms`, as Intl writes it (`GMT-03:00`): only compared for change. */
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
function offsetAt(tz: string, ms: number): string {
  let f = offsetFormatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" });
    offsetFormatters.set(tz, f);
  }
  return f.formatToParts(new Date(ms)).find((p) => p.type === "timeZoneName")?.value ?? "";
}

/** The earliest second in (before, after] at which `holds` becomes true, given it is false at `before`, true at `after` and changes once. */
function bisect(before: number, after: number, holds: (ms: number) => boolean): number {
  while (after - before > SECOND) {
    const middle = before + Math.floor((after - before) / 2 / SECOND) * SECOND;
    if (holds(middle)) after = middle;
    else before = middle;
  }
  return after;
}

/**
 * The instant the local day (year, month 1-12, day) in `tz` has begun for good: local midnight; where
 * daylight saving skips midnight (America/Asuncion on 2023-10-01 went from 23:59:59 to 01:00), the instant
 * the day begins; where the clocks go back across midnight (America/Goose_Bay on 2009-11-01 went from 00:01
 * back to 23:01 the day before), the second midnight, since the day before is over only then.
 *
 * Every zone's midnight lies within 36 hours of midnight UTC (offsets are within ±14 hours). Local dates
 * move forward between two changes of offset, so a bisection finds where the date first reaches the day;
 * then, if the offset changes later in that window and the change takes the date back before the day, the
 * search starts again after that change.
 */
export function startOfLocalDay(tz: string, year: number, month: number, day: number): Date {
  const target = year * 10_000 + month * 100 + day;
  const reached = (ms: number): boolean => localDate(tz, ms) >= target;
  const end = Date.UTC(year, month - 1, day) + 36 * HOUR;
  let start = bisect(Date.UTC(year, month - 1, day) - 36 * HOUR, end, reached);
  for (let from = start; from < end && offsetAt(tz, from) !== offsetAt(tz, end);) {
    const offset = offsetAt(tz, from);
    const change = bisect(from, end, (ms) => offsetAt(tz, ms) !== offset);
    if (!reached(change)) start = bisect(change, end, reached);
    from = change;
  }
  return new Date(start);
}

/**
 * The instant a cancellation requested at `at` with `effective: end-of-month` takes effect: the end of the
 * last calendar day of the current month in `tz`, i.e. the first instant of the next local month.
 */
export function endOfMonth(tz: string, at: Date): Date {
  const { year, month } = localYearMonth(tz, at);
  return month === 12 ? startOfLocalDay(tz, year + 1, 1, 1) : startOfLocalDay(tz, year, month + 1, 1);
}
