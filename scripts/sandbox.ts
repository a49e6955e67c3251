/**
 * `npm run sandbox` — the whole system on 127.0.0.1 for trying the provisioner out: Azurite, every stand-in with
 * a seeded demo tenant, and the local function host running the app's real functions. Ctrl-C stops everything.
 *
 * `npm run sandbox -- --detach` starts the same in the background, returns once everything answers, and leaves
 * `.sandbox/endpoints.json` for clients; `npm run sandbox:stop` stops it. Runs under tsx with the test CA
 * (`node scripts/with-test-ca.mjs tsx scripts/sandbox.ts`), since NODE_EXTRA_CA_CERTS only counts at startup.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { sandboxGuide } from './sandbox/guide.js';
import { isRunning } from './sandbox/recorded-processes.js';
import {
  endpointsPath,
  readEndpoints,
  removeEndpoints,
  repositoryRoot,
  sandboxDirectory,
  sandboxFile,
  writeEndpoints,
} from './sandbox/sandbox-endpoints.js';
import { type Sandbox, startSandbox } from './sandbox/start-sandbox.js';

const usage = `usage: npm run sandbox [-- --detach]

  (no option)  run in this terminal; Ctrl-C stops everything
  --detach     run in the background and return once everything answers;
               writes .sandbox/endpoints.json, stop with 'npm run sandbox:stop'
  --help       this text`;

const detachTimeoutInMs = 120_000;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--detach' && arg !== '--supervised');
  if (unknown.length > 0) {
    console.error(`Unknown option ${unknown.join(' ')}.\n${usage}`);
    return 2;
  }
  // `--supervised` (internal): the background copy `--detach` starts, with its output in .sandbox/sandbox.log.
  if (args.includes('--supervised')) return runInForeground('detached');
  const problem = alreadyRunning();
  if (problem) {
    console.error(problem);
    return 1;
  }
  return args.includes('--detach') ? detach() : runInForeground('foreground');
}

/** A sandbox whose recorded process still runs; a stale file from a crashed run is removed. */
function alreadyRunning(): string | undefined {
  const endpoints = readEndpoints();
  if (!endpoints) return undefined;
  const live = Object.values(endpoints.processes ?? {}).some(isRunning);
  if (live) {
    return `A sandbox is already running (${endpoints.functionsBaseUrl}, pid ${endpoints.pids.sandbox}). Stop it with 'npm run sandbox:stop'.`;
  }
  removeEndpoints();
  return undefined;
}

async function runInForeground(how: 'foreground' | 'detached'): Promise<number> {
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({ onProgress: (line) => console.log(`sandbox: ${line}…`) });
  } catch (error) {
    console.error(`sandbox: could not start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const endpoints = {
    ...sandbox.endpoints,
    ...(how === 'detached' ? { logPath: sandboxFile('sandbox.log') } : {}),
  };
  writeEndpoints(endpoints);
  console.log(sandboxGuide(endpoints, how, endpointsPath));

  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = async (code: number, why: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`sandbox: ${why}; stopping…`);
      if (readEndpoints()?.pids.sandbox === process.pid) removeEndpoints();
      await sandbox.stop();
      console.log('sandbox: stopped.');
      resolve(code);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => void shutdown(0, `${signal} received`));
    }
    void sandbox.host.exited.then((code) =>
      shutdown(1, `the function host exited unexpectedly (code ${code})`),
    );
    // A failure inside a stand-in must not leave Azurite and the host running without their owner.
    process.on(
      'uncaughtException',
      (error) => void shutdown(1, `unexpected error: ${error.stack ?? error.message}`),
    );
    process.on('unhandledRejection', (error) => void shutdown(1, `unexpected error: ${String(error)}`));
  });
}

/** Starts this script again as a detached process writing to .sandbox/sandbox.log, and waits until it answers. */
async function detach(): Promise<number> {
  const logPath = sandboxFile('sandbox.log');
  mkdirSync(sandboxDirectory, { recursive: true });
  const log = openSync(logPath, 'w');
  // process.execArgv carries tsx's loader flags, so the copy runs TypeScript exactly as this process does.
  const child = spawn(process.execPath, [...process.execArgv, import.meta.filename, '--supervised'], {
    cwd: repositoryRoot,
    detached: true,
    stdio: ['ignore', log, log],
    env: process.env,
  });
  closeSync(log);
  child.unref();
  let exitCode: number | null | undefined;
  child.once('exit', (code) => {
    exitCode = code;
  });
  const deadline = Date.now() + detachTimeoutInMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      console.error(`sandbox: the background sandbox exited with code ${exitCode}:\n${tail(logPath)}`);
      return 1;
    }
    const endpoints = existsSync(endpointsPath) ? readEndpoints() : undefined;
    if (endpoints && endpoints.pids.sandbox === child.pid) {
      console.log(sandboxGuide(endpoints, 'detached', endpointsPath));
      return 0;
    }
    await sleep(200);
  }
  if (child.pid) process.kill(child.pid, 'SIGTERM');
  console.error(
    `sandbox: not ready within ${detachTimeoutInMs / 1000} s; stopped it. Its output:\n${tail(logPath)}`,
  );
  return 1;
}

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

process.exitCode = await main();
// Handles (sockets, timers) of stopped stand-ins must not keep a finished sandbox alive.
process.exit();
