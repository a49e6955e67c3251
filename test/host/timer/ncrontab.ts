/**
 * NCRONTAB schedules as the timer trigger reads them (https://learn.microsoft.com/azure/azure-functions/functions-bindings-timer#ncrontab-expressions):
 * `{second} {minute} {hour} {day} {month} {day-of-week}`, or five fields without seconds, evaluated in UTC (the only
 * time zone on Flex Consumption). Field syntax follows NCrontab (atifaziz/NCrontab `CrontabFieldImpl.cs`): `*`,
 * values, names (any case-insensitive prefix of `January`…, `Sunday`…), ranges `a-b`, lists `a,b`, steps `*\/n`,
 * `a-b/n` and `a/n` (= a to the maximum); day of week is 0–6 with Sunday 0. A time must match the day of month
 * AND the day of week (`CrontabSchedule.cs` checks `_daysOfWeek` after the day), unlike Vixie cron's OR.
 */
export interface NcrontabSchedule {
  expression: string;
  /** The first occurrence strictly after `after` (NCrontab `GetNextOccurrence` never returns the base time). */
  nextAfter(after: Date): Date;
  /** The next `count` occurrences after `after`. */
  occurrencesAfter(after: Date, count: number): Date[];
}

export class NcrontabError extends Error {
  override name = 'NcrontabError';
}

interface FieldSpec {
  label: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const fieldSpecs: readonly FieldSpec[] = [
  { label: 'second', min: 0, max: 59 },
  { label: 'minute', min: 0, max: 59 },
  { label: 'hour', min: 0, max: 23 },
  { label: 'day', min: 1, max: 31 },
  {
    label: 'month',
    min: 1,
    max: 12,
    names: [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ],
  },
  {
    label: 'day of week',
    min: 0,
    max: 6,
    names: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  },
];

/** Beyond this a schedule is considered never to fire (e.g. `0 0 0 30 2 *`). */
const searchHorizonInMs = 5 * 366 * 24 * 3600_000;

export function parseNcrontab(expression: string): NcrontabSchedule {
  const tokens = expression.trim().split(/\s+/).filter(Boolean);
  if (tokens.length !== 6 && tokens.length !== 5) {
    throw new NcrontabError(
      `'${expression}' is not a valid NCRONTAB expression: it needs 6 fields ({second} {minute} {hour} {day} {month} {day-of-week}) or 5 (without seconds), found ${tokens.length}.`,
    );
  }
  const fields = (tokens.length === 6 ? tokens : ['0', ...tokens]).map((token, index) =>
    parseField(token, fieldSpecs[index] as FieldSpec, expression),
  );
  const [seconds, minutes, hours, days, months, weekdays] = fields as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];

  const nextAfter = (after: Date): Date => {
    const limit = after.getTime() + searchHorizonInMs;
    const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
    while (t.getTime() <= limit) {
      if (!months.has(t.getUTCMonth() + 1)) {
        t.setUTCMonth(t.getUTCMonth() + 1, 1);
        t.setUTCHours(0, 0, 0, 0);
      } else if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
        t.setUTCDate(t.getUTCDate() + 1);
        t.setUTCHours(0, 0, 0, 0);
      } else if (!hours.has(t.getUTCHours())) {
        t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
      } else if (!minutes.has(t.getUTCMinutes())) {
        t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
      } else if (!seconds.has(t.getUTCSeconds())) {
        t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
      } else {
        return t;
      }
    }
    throw new NcrontabError(`'${expression}' has no occurrence within 5 years of ${after.toISOString()}.`);
  };

  return {
    expression,
    nextAfter,
    occurrencesAfter(after, count) {
      const occurrences: Date[] = [];
      let base = after;
      for (let i = 0; i < count; i++) {
        base = nextAfter(base);
        occurrences.push(base);
      }
      return occurrences;
    },
  };
}

function parseField(token: string, spec: FieldSpec, expression: string): Set<number> {
  const fail = (why: string) =>
    new NcrontabError(`'${token}' is not a valid ${spec.label} field in '${expression}': ${why}.`);
  const values = new Set<number>();
  for (const element of token.split(',')) {
    if (element === '') throw fail('a list element is empty');
    const [base = '', stepText, extra] = element.split('/');
    if (extra !== undefined) throw fail("only one '/' is allowed");
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw fail('a step must be a positive integer');
      step = Number(stepText);
    }
    let start: number;
    let end: number;
    if (base === '*') {
      start = spec.min;
      end = spec.max;
    } else if (base.includes('-')) {
      const [from = '', to = '', more] = base.split('-');
      if (more !== undefined) throw fail('a range has one dash');
      start = parseValue(from, spec, fail);
      end = parseValue(to, spec, fail);
      if (start > end) throw fail(`the range ${from}-${to} runs backwards`);
    } else {
      start = parseValue(base, spec, fail);
      end = stepText === undefined ? start : spec.max;
    }
    for (let value = start; value <= end; value += step) values.add(value);
  }
  return values;
}

function parseValue(text: string, spec: FieldSpec, fail: (why: string) => NcrontabError): number {
  if (text === '') throw fail('a value is empty');
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) {
      throw fail(`${value} is outside ${spec.min}-${spec.max}`);
    }
    return value;
  }
  const index = spec.names?.findIndex((name) => name.toLowerCase().startsWith(text.toLowerCase())) ?? -1;
  if (index === -1) {
    throw fail(
      spec.names
        ? `'${text}' is neither a number nor a prefix of ${spec.names.join(', ')}`
        : `'${text}' is not a number between ${spec.min} and ${spec.max}`,
    );
  }
  return index + spec.min;
}
