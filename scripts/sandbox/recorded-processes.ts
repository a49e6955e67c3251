import { readFileSync } from 'node:fs';
import type { RecordedProcess } from './sandbox-endpoints.js';

/** Identifies a live process by pid and start time (proc(5): /proc/<pid>/stat field 22, `starttime`). */
export function recordProcess(pid: number): RecordedProcess {
  const startTicks = startTicksOf(pid);
  return startTicks === undefined ? { pid } : { pid, startTicks };
}

/** True while the recorded process runs; a pid reused by another process does not count. */
export function isRunning(recorded: RecordedProcess): boolean {
  try {
    process.kill(recorded.pid, 0);
  } catch {
    // ESRCH: gone. EPERM: it exists but is not ours to signal, so it cannot be a process we started.
    return false;
  }
  return recorded.startTicks === undefined || startTicksOf(recorded.pid) === recorded.startTicks;
}

/** Signals the recorded process only if it is still the one we started. */
export function signalRecorded(recorded: RecordedProcess, signal: NodeJS.Signals): boolean {
  if (!isRunning(recorded)) return false;
  try {
    process.kill(recorded.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Waits until none of the processes runs, or `timeoutInMs` passes; returns those still running. */
export async function waitUntilGone(
  processes: RecordedProcess[],
  timeoutInMs: number,
): Promise<RecordedProcess[]> {
  const deadline = Date.now() + timeoutInMs;
  for (;;) {
    const running = processes.filter(isRunning);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may contain spaces: count fields after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
