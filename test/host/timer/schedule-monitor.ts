import type { NcrontabSchedule } from './ncrontab.js';

/** A timer's recorded occurrences, as the Functions host keeps them between restarts. */
export interface ScheduleStatus {
  /** The last occurrence that ran; undefined before the first. */
  last?: Date;
  next: Date;
  lastUpdated?: Date;
}

/**
 * Where timer statuses live. In Azure this is a blob per timer in `AzureWebJobsStorage`, so it lasts as long as
 * that storage; the local cloud's Azurite keeps nothing across restarts, so the local host keeps them in memory.
 */
export interface ScheduleMonitor {
  getStatus(timerName: string): Promise<ScheduleStatus | undefined>;
  updateStatus(timerName: string, status: ScheduleStatus): Promise<void>;
}

export class InMemoryScheduleMonitor implements ScheduleMonitor {
  readonly #statuses = new Map<string, ScheduleStatus>();

  async getStatus(timerName: string): Promise<ScheduleStatus | undefined> {
    const status = this.#statuses.get(timerName);
    return status && { ...status };
  }

  async updateStatus(timerName: string, status: ScheduleStatus): Promise<void> {
    this.#statuses.set(timerName, { ...status });
  }
}

/**
 * How late the timer is at startup: 0 when on time, else how long ago the recorded next occurrence passed.
 * A port of `ScheduleMonitor.CheckPastDueAsync` (Azure/azure-webjobs-sdk-extensions,
 * src/WebJobs.Extensions/Extensions/Timers/Scheduling/ScheduleMonitor.cs): the first start records the next
 * occurrence; a schedule that changed since the recorded one is re-based, and not reported past due.
 */
export async function checkPastDue(
  monitor: ScheduleMonitor,
  timerName: string,
  now: Date,
  schedule: NcrontabSchedule,
  lastStatus: ScheduleStatus | undefined,
): Promise<{ pastDueInMs: number; status: ScheduleStatus }> {
  let status: ScheduleStatus;
  if (!lastStatus) {
    status = { next: schedule.nextAfter(now), lastUpdated: now };
    await monitor.updateStatus(timerName, status);
  } else {
    const basis = lastStatus.last ?? lastStatus.lastUpdated ?? now;
    let expectedNext = schedule.nextAfter(basis);
    let lastUpdated = basis;
    status = lastStatus;
    if (lastStatus.next.getTime() !== expectedNext.getTime()) {
      if (now > expectedNext) {
        expectedNext = schedule.nextAfter(now);
        lastUpdated = now;
      }
      status = { next: expectedNext, lastUpdated };
      await monitor.updateStatus(timerName, status);
    }
  }
  return { pastDueInMs: Math.max(0, now.getTime() - status.next.getTime()), status };
}
