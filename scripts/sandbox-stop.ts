/**
 * `npm run sandbox:stop` — stops the sandbox recorded in `.sandbox/endpoints.json` by its recorded process ids
 * (each checked against its recorded start time, so a recycled pid is never signalled): SIGTERM to the sandbox,
 * which stops its host and Azurite; whatever still runs after a grace period gets SIGTERM, then SIGKILL.
 */
import { isRunning, signalRecorded, waitUntilGone } from './sandbox/recorded-processes.js';
import { readEndpoints, removeEndpoints } from './sandbox/sandbox-endpoints.js';

async function main(): Promise<number> {
  const endpoints = readEndpoints();
  if (!endpoints) {
    console.log('No sandbox is running (no .sandbox/endpoints.json).');
    return 0;
  }
  const recorded = Object.entries(endpoints.processes ?? {});
  const all = recorded.map(([, process]) => process);
  const sandbox = endpoints.processes?.sandbox;
  if (sandbox && isRunning(sandbox)) {
    signalRecorded(sandbox, 'SIGTERM');
    await waitUntilGone(all, 20_000);
  }
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    const left = all.filter(isRunning);
    if (left.length === 0) break;
    for (const process of left) signalRecorded(process, signal);
    await waitUntilGone(left, 5_000);
  }
  removeEndpoints();
  const survivors = recorded.filter(([, process]) => isRunning(process));
  if (survivors.length > 0) {
    console.error(
      `Could not stop: ${survivors.map(([role, process]) => `${role} (pid ${process.pid})`).join(', ')}.`,
    );
    return 1;
  }
  console.log(
    `Stopped the sandbox: ${recorded.map(([role, process]) => `${role} (pid ${process.pid})`).join(', ')}.`,
  );
  return 0;
}

process.exitCode = await main();
