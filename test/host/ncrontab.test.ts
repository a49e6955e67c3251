import { describe, expect, it } from 'vitest';
import { NcrontabError, parseNcrontab } from './timer/ncrontab.js';

const base = new Date('2026-12-03T10:15:30.250Z'); // a Thursday

describe('NCRONTAB schedules (UTC)', () => {
  it.each([
    ['0 0 2 * * *', 'daily at 02:00', ['2026-12-04T02:00:00.000Z', '2026-12-05T02:00:00.000Z']],
    ['0 */5 * * * *', 'every five minutes', ['2026-12-03T10:20:00.000Z', '2026-12-03T10:25:00.000Z']],
    ['*/10 * * * * *', 'every ten seconds', ['2026-12-03T10:15:40.000Z', '2026-12-03T10:15:50.000Z']],
    ['0 0 * * * *', 'top of every hour', ['2026-12-03T11:00:00.000Z', '2026-12-03T12:00:00.000Z']],
    ['0 30 9 * * 1-5', 'weekdays at 09:30', ['2026-12-04T09:30:00.000Z', '2026-12-07T09:30:00.000Z']],
    [
      '0 0 9 * * Sat,sun',
      'weekends, names in any case',
      ['2026-12-05T09:00:00.000Z', '2026-12-06T09:00:00.000Z'],
    ],
    [
      '0 0 0 1 Jan,Jul *',
      'first of January and July',
      ['2027-01-01T00:00:00.000Z', '2027-07-01T00:00:00.000Z'],
    ],
    [
      '0 0 12 31 * *',
      'the 31st, skipping shorter months',
      ['2026-12-31T12:00:00.000Z', '2027-01-31T12:00:00.000Z'],
    ],
    [
      '0 0 8 1-7 * 1',
      'day AND weekday: the first Monday',
      ['2026-12-07T08:00:00.000Z', '2027-01-04T08:00:00.000Z'],
    ],
    [
      '5/20 * * * * *',
      'a/n runs from a to the maximum',
      ['2026-12-03T10:15:45.000Z', '2026-12-03T10:16:05.000Z'],
    ],
    [
      '15,45 10-11 * * *',
      'five fields: seconds are 0',
      ['2026-12-03T10:45:00.000Z', '2026-12-03T11:15:00.000Z'],
    ],
    [
      '30 15 10 3 12 *',
      'never the base time itself',
      ['2027-12-03T10:15:30.000Z', '2028-12-03T10:15:30.000Z'],
    ],
  ])('%s (%s)', (expression, _meaning, expected) => {
    const occurrences = parseNcrontab(expression).occurrencesAfter(base, 2);
    expect(occurrences.map((date) => date.toISOString())).toEqual(expected);
  });

  it.each([
    ['0 0 2 * *  * *', /needs 6 fields .* found 7/],
    ['* * *', /found 3/],
    ['60 * * * * *', /'60' is not a valid second field .*60 is outside 0-59/],
    ['0 0 0 * * 7', /day of week field .*7 is outside 0-6/],
    ['0 0 0 * Foo *', /'Foo' is neither a number nor a prefix of January/],
    ['0 0 0 5-1 * *', /runs backwards/],
    ['*/0 * * * * *', /step must be a positive integer/],
    ['0 0 0 1,,2 * *', /list element is empty/],
  ])('rejects %s with a message naming the field', (expression, message) => {
    expect(() => parseNcrontab(expression)).toThrow(NcrontabError);
    expect(() => parseNcrontab(expression)).toThrow(message);
  });

  it('reports a schedule that can never fire instead of looping', () => {
    expect(() => parseNcrontab('0 0 0 30 2 *').nextAfter(base)).toThrow(/no occurrence within 5 years/);
  });
});
