import type { Timer } from '@azure/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { FunctionHost, HostStartupError } from './function-host.js';
import { capturedLog, eventually, fixture, hostConfiguration } from './host-test-support.js';
import { InMemoryScheduleMonitor } from './timer/schedule-monitor.js';

interface Run {
  startedAt: Date;
  timer: Timer;
}

const day = 24 * 3600_000;

describe('local function host: timer trigger', () => {
  let host: FunctionHost | undefined;

  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  async function startTimer(
    options: { schedule: string; runOnStartup?: boolean; useMonitor?: boolean },
    handler: (timer: Timer) => Promise<void>,
    extras: { settings?: Record<string, string>; monitor?: InMemoryScheduleMonitor } = {},
  ) {
    host = await FunctionHost.start({
      port: 0,
      settings: extras.settings ?? {},
      configuration: hostConfiguration(),
      log: capturedLog().log,
      ...(extras.monitor ? { scheduleMonitor: extras.monitor } : {}),
      functions: [
        fixture.timer('tick', { ...options, handler }),
        fixture.http('hello', { route: 'hello', handler: async () => ({ body: 'hi' }) }),
      ],
    });
    return host;
  }

  it('fires at each occurrence of a 6-field schedule, on the second, with isPastDue false', async () => {
    const runs: Run[] = [];
    await startTimer(
      { schedule: '*/1 * * * * *' },
      async (timer) => void runs.push({ startedAt: new Date(), timer }),
    );
    await eventually(() => runs.length >= 2, 5_000, 'two occurrences');
    for (const run of runs.slice(0, 2)) {
      expect(run.startedAt.getUTCMilliseconds()).toBeLessThan(250);
      expect(run.timer).toEqual({ isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: null });
    }
  });

  it('never runs one timer twice at once: a long run delays the next, and a manual run waits its turn', async () => {
    let running = 0;
    let peak = 0;
    let completed = 0;
    const running$ = await startTimer({ schedule: '*/1 * * * * *' }, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 600));
      running--;
      completed++;
    });
    await eventually(() => running === 1, 5_000, 'the first run');
    const manual = await fetch(`${running$.url}/admin/functions/tick`, {
      method: 'POST',
      headers: { 'x-functions-key': running$.keys.masterKey, 'content-type': 'application/json' },
      body: JSON.stringify({ input: '' }),
    });
    expect(manual.status).toBe(202);
    await eventually(() => completed >= 3, 10_000, 'three runs');
    expect(peak).toBe(1);
  });

  it('runs a missed occurrence at start with isPastDue true, then records the new occurrence', async () => {
    const now = Date.now();
    const today0200 = Date.UTC(
      new Date(now).getUTCFullYear(),
      new Date(now).getUTCMonth(),
      new Date(now).getUTCDate(),
      2,
    );
    const missed = today0200 <= now ? today0200 : today0200 - day;
    const monitor = new InMemoryScheduleMonitor();
    await monitor.updateStatus('tick', {
      last: new Date(missed - day),
      next: new Date(missed),
      lastUpdated: new Date(missed - day),
    });
    const runs: Run[] = [];
    await startTimer(
      { schedule: '0 0 2 * * *' },
      async (timer) => void runs.push({ startedAt: new Date(), timer }),
      { monitor },
    );
    await eventually(() => runs.length === 1, 5_000, 'the past-due run');
    expect(runs[0]?.timer.isPastDue).toBe(true);
    expect(runs[0]?.timer.scheduleStatus).toMatchObject({ next: new Date(missed).toISOString() });
    let recorded: Date | undefined;
    await eventually(
      () => {
        void monitor.getStatus('tick').then((status) => {
          recorded = status?.next;
        });
        return recorded?.getTime() === missed + day;
      },
      5_000,
      'the next occurrence to be recorded',
    );
  });

  it('does not run at start when the recorded next occurrence is still ahead', async () => {
    const monitor = new InMemoryScheduleMonitor();
    const next = new Date(Date.now() + day);
    next.setUTCHours(2, 0, 0, 0);
    await monitor.updateStatus('tick', { next, lastUpdated: new Date(next.getTime() - day) });
    let runs = 0;
    await startTimer({ schedule: '0 0 2 * * *' }, async () => void runs++, { monitor });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toBe(0);
  });

  it('runs once at start with runOnStartup, not as past due', async () => {
    const runs: Run[] = [];
    await startTimer(
      { schedule: '0 0 2 * * *', runOnStartup: true, useMonitor: false },
      async (timer) => void runs.push({ startedAt: new Date(), timer }),
    );
    await eventually(() => runs.length === 1, 5_000, 'the startup run');
    expect(runs[0]?.timer.isPastDue).toBe(false);
  });

  it('runs on demand through POST /admin/functions/{name} with the master key, answering 202', async () => {
    let runs = 0;
    const running = await startTimer({ schedule: '0 0 2 * * *' }, async () => void runs++);
    const post = (name: string, key: string, body = JSON.stringify({ input: '' })) =>
      fetch(`${running.url}/admin/functions/${name}`, {
        method: 'POST',
        headers: { 'x-functions-key': key, 'content-type': 'application/json' },
        body,
      });
    expect((await post('tick', running.keys.functionKey)).status).toBe(401);
    expect((await post('tick', running.keys.masterKey)).status).toBe(202);
    await eventually(() => runs === 1, 5_000, 'the manual run');
    expect((await post('nope', running.keys.masterKey)).status).toBe(404);
    const http = await post('hello', running.keys.masterKey);
    expect([http.status, await http.json()]).toEqual([
      400,
      { error: "'hello' is an HTTP function: call its route instead of the admin API." },
    ]);
    const malformed = await post('tick', running.keys.masterKey, '{"input": 5}');
    expect(malformed.status).toBe(400);
    expect(runs).toBe(1);
  });

  it('reads a %Setting% schedule, and refuses to start with an invalid one, naming the function', async () => {
    let runs = 0;
    await startTimer({ schedule: '%TICK_SCHEDULE%' }, async () => void runs++, {
      settings: { TICK_SCHEDULE: '*/1 * * * * *' },
    });
    await eventually(() => runs >= 1, 5_000, 'a run on the configured schedule');
    await host?.stop();
    host = undefined;
    await expect(
      startTimer({ schedule: '%TICK_SCHEDULE%' }, async () => {}, {
        settings: { TICK_SCHEDULE: '0 0 25 * * *' },
      }),
    ).rejects.toThrow(HostStartupError);
    await expect(
      startTimer({ schedule: '%TICK_SCHEDULE%' }, async () => {}, {
        settings: { TICK_SCHEDULE: '0 0 25 * * *' },
      }),
    ).rejects.toThrow(
      /Function 'tick': '25' is not a valid hour field in '0 0 25 \* \* \*': 25 is outside 0-23/,
    );
  });
});
