import type { Timer, TimerHandler } from '@azure/functions';
import type { HostLog } from '../host-log.js';
import { createInvocationContext } from '../invocation-context.js';
import { describeError, runInvocation } from '../run-invocation.js';
import type { NcrontabSchedule } from './ncrontab.js';
import { checkPastDue, type ScheduleMonitor, type ScheduleStatus } from './schedule-monitor.js';

export interface TimerFunctionEntry {
  name: string;
  schedule: NcrontabSchedule;
  runOnStartup: boolean;
  /** Whether occurrences are recorded so a missed one runs at the next start with `isPastDue`. */
  useMonitor: boolean;
  handler: TimerHandler;
}

export interface TimerListenerOptions {
  entry: TimerFunctionEntry;
  monitor: ScheduleMonitor;
  log: HostLog;
}

type InvocationKind = 'scheduled' | 'pastDue' | 'runOnStartup' | 'manual';

const reasons: Record<InvocationKind, string> = {
  scheduled: 'Timer fired',
  pastDue: 'Timer fired (past due)',
  runOnStartup: 'Timer fired (run on startup)',
  manual: 'This function was programmatically called via the host APIs.',
};

/** Node's setTimeout holds at most 2^31-1 ms; longer waits go in steps, like the WebJobs 24-day cap. */
const maxTimeoutInMs = 2 ** 31 - 1;

/**
 * One timer-triggered function, ported from the WebJobs `TimerListener` (Azure/azure-webjobs-sdk-extensions,
 * src/WebJobs.Extensions/Extensions/Timers/Listener/TimerListener.cs): at start a missed occurrence runs at once
 * with `isPastDue: true` (else `runOnStartup` runs it), then each occurrence of the UTC schedule. One invocation
 * at a time: the listener's invocation lock makes a run that comes due while another runs wait for it, and the
 * next occurrence is computed from when a run started, so a long run is followed by one catch-up run rather than
 * a burst. Manual runs through the admin API take the same lock here, so no two runs of a timer ever overlap.
 */
export class TimerListener {
  readonly #options: TimerListenerOptions;
  #status: ScheduleStatus | undefined;
  #timeout: NodeJS.Timeout | undefined;
  #lock: Promise<void> = Promise.resolve();
  #stopped = false;

  private constructor(options: TimerListenerOptions) {
    this.#options = options;
  }

  static async start(options: TimerListenerOptions): Promise<TimerListener> {
    const listener = new TimerListener(options);
    await listener.#start();
    return listener;
  }

  /** The occurrence the timer waits for next. */
  get nextOccurrence(): Date | undefined {
    return this.#status?.next;
  }

  /** A manual run (`POST /admin/functions/{name}`): queued behind any run in progress. */
  runManually(): Promise<void> {
    return this.#invoke('manual', new Date());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timeout);
    await this.#lock;
  }

  async #start(): Promise<void> {
    const { entry, monitor, log } = this.#options;
    const now = new Date();
    let pastDue = false;
    if (entry.useMonitor) {
      const recorded = await monitor.getStatus(entry.name);
      const checked = await checkPastDue(monitor, entry.name, now, entry.schedule, recorded);
      this.#status = checked.status;
      pastDue = checked.pastDueInMs > 0;
    }
    this.#status ??= { next: entry.schedule.nextAfter(now) };
    log({
      at: new Date(),
      level: 'information',
      category: 'Host.Timer',
      message: `Function '${entry.name}': schedule '${entry.schedule.expression}' (UTC); next occurrences: ${entry.schedule
        .occurrencesAfter(now, 3)
        .map((date) => date.toISOString())
        .join(', ')}`,
    });
    if (pastDue) this.#fireSoon('pastDue');
    else if (entry.runOnStartup) this.#fireSoon('runOnStartup');
    else this.#scheduleNext();
  }

  #fireSoon(kind: InvocationKind): void {
    this.#timeout = setTimeout(() => void this.#fire(kind), 0);
  }

  #scheduleNext(): void {
    if (this.#stopped || !this.#status) return;
    const waitInMs = Math.max(0, this.#status.next.getTime() - Date.now());
    this.#timeout = setTimeout(
      () => {
        if (waitInMs > maxTimeoutInMs) this.#scheduleNext();
        else void this.#fire('scheduled');
      },
      Math.min(waitInMs, maxTimeoutInMs),
    );
  }

  async #fire(kind: InvocationKind): Promise<void> {
    try {
      await this.#invoke(kind, new Date());
    } finally {
      this.#scheduleNext();
    }
  }

  #invoke(kind: InvocationKind, invocationTime: Date): Promise<void> {
    const run = this.#lock.then(async () => {
      if (this.#stopped) return;
      await this.#run(kind, invocationTime);
    });
    this.#lock = run.catch(() => undefined);
    return run;
  }

  async #run(kind: InvocationKind, invocationTime: Date): Promise<void> {
    const { entry, monitor, log } = this.#options;
    const status = this.#status as ScheduleStatus;
    const timer: Timer = {
      isPastDue: kind === 'pastDue',
      schedule: { adjustForDST: true },
      // The host passes a status only for monitored timers (TimerListener: `timerInfoStatus = ScheduleStatus`
      // when a ScheduleMonitor is in use), so handlers must not rely on it otherwise.
      scheduleStatus: (entry.useMonitor ? toTimerStatus(status) : null) as Timer['scheduleStatus'],
    };
    const context = createInvocationContext({ functionName: entry.name, triggerType: 'timerTrigger', log });
    try {
      await runInvocation(log, context, reasons[kind], async () => entry.handler(timer, context));
    } catch {
      // A failed run does not stop the schedule; the error is in the log already.
    }
    if (kind === 'manual') return; // manual runs bypass the listener in the host: the schedule is untouched
    // A run that fired slightly early counts as the scheduled occurrence, so `next` never repeats.
    const adjusted = kind === 'scheduled' && status.next > invocationTime ? status.next : invocationTime;
    this.#status = { last: adjusted, next: entry.schedule.nextAfter(adjusted), lastUpdated: adjusted };
    if (entry.useMonitor) {
      await monitor.updateStatus(entry.name, this.#status).catch((error: unknown) =>
        log({
          at: new Date(),
          level: 'warning',
          category: 'Host.Timer',
          message: `Could not record the schedule status of '${entry.name}': ${describeError(error)}`,
        }),
      );
    }
  }
}

/** .NET's DateTime.MinValue, which the host reports for "never". */
const never = '0001-01-01T00:00:00.000Z';

function toTimerStatus(status: ScheduleStatus): Timer['scheduleStatus'] {
  return {
    last: status.last?.toISOString() ?? never,
    next: status.next.toISOString(),
    lastUpdated: status.lastUpdated?.toISOString() ?? never,
  };
}

/** `useMonitor` defaults to true for schedules whose occurrences are at least a minute apart (TimerTriggerOptions docs). */
export function defaultUseMonitor(schedule: NcrontabSchedule, now = new Date()): boolean {
  const [first, second] = schedule.occurrencesAfter(now, 2) as [Date, Date];
  return second.getTime() - first.getTime() >= 60_000;
}
