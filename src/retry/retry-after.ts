/**
 * Parses an HTTP `Retry-After` value into milliseconds from `nowInMs`: either delta-seconds or an
 * HTTP-date (RFC 9110 §10.2.3). Returns `undefined` for an absent or malformed value, so the caller falls
 * back to its own backoff; a date in the past means "now" (0).
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function parseRetryAfter(value: string | undefined, nowInMs: number = Date.now()): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  // delay-seconds = 1*DIGIT (RFC 9110 §10.2.3): no sign, no fraction.
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const dateInMs = parseHttpDate(trimmed);
  return dateInMs === undefined ? undefined : Math.max(0, dateInMs - nowInMs);
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// Recipients must accept all three HTTP-date forms, all in GMT (RFC 9110 §5.6.7):
// IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`
// and asctime `Sun Nov  6 08:49:37 1994`. Date.parse is not used: it reads asctime as local time.
const imfFixdate = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const rfc850Date = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const asctimeDate = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** @see https://www.rfc-editor.org/rfc/rfc9110#section-5.6.7 */
function parseHttpDate(value: string): number | undefined {
  let parts: { day: string; month: string; year: number; hour: string; minute: string; second: string };
  const imf = imfFixdate.exec(value);
  const rfc850 = rfc850Date.exec(value);
  const asctime = asctimeDate.exec(value);
  if (imf) {
    const [, day = '', month = '', year = '', hour = '', minute = '', second = ''] = imf;
    parts = { day, month, year: Number(year), hour, minute, second };
  } else if (rfc850) {
    const [, day = '', month = '', year = '', hour = '', minute = '', second = ''] = rfc850;
    // A two-digit year more than 50 years in the future means the most recent past such year (§5.6.7).
    const currentYear = new Date().getUTCFullYear();
    let fullYear = Math.floor(currentYear / 100) * 100 + Number(year);
    if (fullYear > currentYear + 50) fullYear -= 100;
    parts = { day, month, year: fullYear, hour, minute, second };
  } else if (asctime) {
    const [, month = '', day = '', hour = '', minute = '', second = '', year = ''] = asctime;
    parts = { day: day.trim(), month, year: Number(year), hour, minute, second };
  } else {
    return undefined;
  }
  const monthIndex = months.indexOf(parts.month);
  if (monthIndex < 0) return undefined;
  const time = Date.UTC(
    parts.year,
    monthIndex,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  // Reject impossible calendar values (31 Feb) instead of letting Date.UTC roll them over.
  return new Date(time).getUTCDate() === Number(parts.day) ? time : undefined;
}
