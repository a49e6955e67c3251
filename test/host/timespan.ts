/**
 * Parses a .NET TimeSpan string as host.json uses them (`"00:05:00"`, `"1.02:00:00"`, `"00:00:00.500"`):
 * `[d.]hh:mm:ss[.fffffff]`. https://learn.microsoft.com/dotnet/standard/base-types/standard-timespan-format-strings
 */
export function parseTimeSpanInMs(value: string, where: string): number {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!match) {
    throw new TypeError(
      `${where} must be a TimeSpan such as "00:05:00" ([d.]hh:mm:ss[.fff]), got '${value}'.`,
    );
  }
  const [, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) {
    throw new RangeError(`${where} has an out-of-range hour, minute or second: '${value}'.`);
  }
  const fractionInMs = fraction === '' ? 0 : Number(`0.${fraction}`) * 1000;
  return (
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(fractionInMs)
  );
}
