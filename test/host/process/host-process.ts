import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { FunctionSummary } from '../function-host.js';
import { generateHostKeys, type HostKeys } from '../host-keys.js';
import { builtLayout, transpiledLayout } from '../load-function-app.js';
import { compileForHost } from './compile-for-host.js';
import type { HostProcessMessage, StartHostMessage } from './host-messages.js';
import { peakResidentSetInBytes, residentSetInBytes } from './process-memory.js';

export interface HostProcessOptions {
  /** Become the host process's environment, on top of the parent's (as `func start` layers local.settings.json). */
  appSettings: Record<string, string>;
  /**
   * `source` (default): the TypeScript sources, transpiled for the run. `built`: what production deploys,
   * package.json `main` after `npm run build`.
   */
  build?: 'source' | 'built';
  /** With `source`: which modules register functions, relative to the app root. Default `functions/*.ts`. */
  entryPattern?: string;
  /** The function app's root (package.json, host.json). Default: this repository. */
  appRoot?: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  keys?: HostKeys;
  /** Each line the host writes (stdout and stderr). Default: this process's stdout/stderr. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  startTimeoutInMs?: number;
}

export interface HostProcess {
  pid: number;
  url: string;
  keys: HostKeys;
  functions: FunctionSummary[];
  /** Resolves with the exit code (null after a signal) once the process has exited. */
  exited: Promise<number | null>;
  /** VmHWM of the host process while it runs (Linux). */
  peakMemoryInBytes(): number | undefined;
  memoryInBytes(): number | undefined;
  /** SIGTERM, then SIGKILL after `graceInMs` (default 10 s); resolves once the process is gone. */
  stop(graceInMs?: number): Promise<void>;
}

const repositoryRoot = resolve(import.meta.dirname, '..', '..', '..');

/**
 * Starts the local function host as a child process, like the Functions host runs apart from `func start`'s
 * caller: its memory can be measured on its own and a crash in a function cannot take its parent down.
 * Resolves once the host listens and every trigger has started; rejects with the host's own reasons otherwise.
 */
export async function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  const keys = options.keys ?? generateHostKeys();
  const appRoot = options.appRoot ?? repositoryRoot;
  const build = options.build ?? 'source';
  const nodeOptions = nodeArguments(options.appSettings);
  const compiled = await compileForHost(appRoot, build === 'source');
  const app =
    build === 'source'
      ? {
          ...transpiledLayout(compiled.outDir),
          entryPattern: (options.entryPattern ?? 'functions/*.ts').replace(/\.ts$/, '.js'),
        }
      : builtLayout(appRoot);
  const child = spawn(process.execPath, [...nodeOptions, compiled.runHostPath], {
    cwd: appRoot,
    env: { ...process.env, ...options.appSettings },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const output =
    options.onOutput ??
    ((line: string, stream: 'stdout' | 'stderr') => process[stream].write(`[host] ${line}\n`));
  const recent: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = child[stream];
    if (!source) continue;
    createInterface({ input: source }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 40) recent.shift();
      output(line, stream);
    });
  }
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => resolveExit(code));
  }).finally(() => compiled.remove());

  const start: StartHostMessage = {
    type: 'start',
    app,
    port: options.port ?? 7071,
    keys,
  };
  child.send(start);
  const started = await waitForStart(child, exited, options.startTimeoutInMs ?? 60_000, () =>
    recent.join('\n'),
  );
  const pid = child.pid ?? -1;
  return {
    pid,
    url: started.url,
    keys,
    functions: started.functions,
    exited,
    peakMemoryInBytes: () => peakResidentSetInBytes(pid),
    memoryInBytes: () => residentSetInBytes(pid),
    stop: (graceInMs = 10_000) => stopChild(child, exited, graceInMs),
  };
}

/**
 * Node options for the host process from the `languageWorkers__node__arguments` app setting, which the Functions
 * host passes to the Node worker (`languageWorkers:node:arguments`, Azure/azure-functions-nodejs-worker README,
 * "Debugging and Testing"), e.g. `--inspect` or `--max-old-space-size=…`.
 */
function nodeArguments(appSettings: Record<string, string>): string[] {
  const value =
    appSettings.languageWorkers__node__arguments ?? appSettings['languageWorkers:node:arguments'] ?? '';
  const args = value.split(/\s+/).filter(Boolean);
  const notAnOption = args.find((arg) => !arg.startsWith('-'));
  if (notAnOption) {
    throw new Error(
      `languageWorkers__node__arguments must hold node options only (such as --max-old-space-size=512), got '${notAnOption}'.`,
    );
  }
  return args;
}

async function waitForStart(
  child: ChildProcess,
  exited: Promise<number | null>,
  timeoutInMs: number,
  recentOutput: () => string,
): Promise<Extract<HostProcessMessage, { type: 'started' }>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise((resolveStart, rejectStart) => {
      child.on('message', (message: HostProcessMessage) => {
        if (message.type === 'started') resolveStart(message);
        else rejectStart(new Error(message.message));
      });
      void exited.then((code) =>
        rejectStart(
          new Error(`The function host exited with code ${code} before it started:\n${recentOutput()}`),
        ),
      );
      timer = setTimeout(() => {
        child.kill('SIGKILL');
        rejectStart(
          new Error(`The function host did not start within ${timeoutInMs} ms:\n${recentOutput()}`),
        );
      }, timeoutInMs);
    });
  } catch (error) {
    await stopChild(child, exited, 5_000);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  graceInMs: number,
): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceInMs);
    await exited;
    clearTimeout(killer);
  }
  await exited;
}
