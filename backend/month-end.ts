// Calendar arithmetic in an account's time zone: when does "end of this month" end?

// Building a formatter costs far more than using one; an account's zone is asked for again and again.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(tz, f);
  }
  return f;
}

/** Offset of `tz` from UTC at instant `ms`, in milliseconds (local = utc + offset). */
export function tzOffsetMs(tz: string, ms: number): number {
  const parts = formatterFor(tz).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - (ms - (ms % 1000 + 1000) % 1000);
}

/** Local calendar year and month (1-12) of instant `at` in `tz`. */
export function localYearMonth(tz: string, at: Date): { year: number; month: number } {
  const local = new Date(at.getTime() + tzOffsetMs(tz, at.getTime()));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1 };
}

/** The UTC instant of local midnight starting day 1 of month (year, month 1-12) in `tz`. */
export function localMidnightFirstOf(tz: string, year: number, month: number): Date {
  const guess = Date.UTC(year, month - 1, 1);
  let result = guess - tzOffsetMs(tz, guess);
  // A second pass settles the offset when a DST change lies between the guess and the result.
  result = guess - tzOffsetMs(tz, result);
  return new Date(result);
}

/**
 * The instant a cancellation requested at `at` with `effective: end-of-month` takes effect: the end of the
 * last calendar day of the current month in `tz`, i.e. the first instant of the next local month.
 */
export function endOfMonth(tz: string, at: Date): Date {
  const { year, month } = localYearMonth(tz, at);
  return month === 12 ? localMidnightFirstOf(tz, year + 1, 1) : localMidnightFirstOf(tz, year, month + 1);
}
