import { readFileSync } from 'node:fs';

/**
 * Peak resident set size (`VmHWM`) of a live process, from `/proc/<pid>/status` (proc(5)); undefined where
 * procfs is missing (not Linux) or the process is gone.
 */
export function peakResidentSetInBytes(pid: number): number | undefined {
  return statusFieldInBytes(pid, 'VmHWM');
}

/** Current resident set size (`VmRSS`). */
export function residentSetInBytes(pid: number): number | undefined {
  return statusFieldInBytes(pid, 'VmRSS');
}

function statusFieldInBytes(pid: number, field: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
