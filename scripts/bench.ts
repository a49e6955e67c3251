/**
 * `npm run bench` — throughput and latency of the provisioner on the local host against the Databricks stand-in,
 * next to what a plain sequential script achieves, plus cold-start import time and the host's peak memory.
 * Prints figures and how they compare with the targets of issue 4; asserts nothing.
 *
 *   npm run bench -- [--count 1000] [--latency-ms 500] [--rate-limit 20] [--loop-count 50]
 *                    [--single-count 20] [--cold-start-runs 15] [--instance-memory-mb 2048]
 *                    [--host-node-arguments=<node options>]
 *
 * `--instance-memory-mb` runs the host with the heap Node gives it on a Flex Consumption instance of that size
 * (default 2048, infra's default; see bench/instance-memory.ts); `0` lets node size its heap from this machine's memory.
 * `--host-node-arguments` sets the host's `languageWorkers__node__arguments` app setting (node options for the
 * process running the functions, as in Azure), e.g. `--host-node-arguments=--max-semi-space-size=4` (with `=`,
 * since the value starts with a dash); by default node runs as is.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ServiceBusClient, type ServiceBusMessage } from '@azure/service-bus';
import type { RequestStatusView } from '../src/request-status.js';
import { expandMainGlob } from '../test/host/expand-main-glob.js';
import { readHostConfiguration } from '../test/host/host-configuration.js';
import { builtLayout } from '../test/host/load-function-app.js';
import { type ColdStart, measureColdStart } from './bench/cold-start.js';
import { heapOptionsForInstance, instanceMemorySizes } from './bench/instance-memory.js';
import { runSequentialLoop } from './bench/sequential-loop.js';
import { percentile } from './bench/statistics.js';
import { StatusClient } from './bench/status-client.js';
import { repositoryRoot } from './sandbox/sandbox-endpoints.js';
import { type Sandbox, startSandbox } from './sandbox/start-sandbox.js';

const optionNames = [
  'count',
  'latency-ms',
  'rate-limit',
  'loop-count',
  'single-count',
  'cold-start-runs',
] as const;
type OptionName = (typeof optionNames)[number];
const defaults: Record<OptionName, number> = {
  count: 1000,
  'latency-ms': 500,
  'rate-limit': 20,
  'loop-count': 50,
  'single-count': 20,
  'cold-start-runs': 15,
};

type Options = Record<OptionName, number> & { instanceMemoryInMb: number; hostNodeArguments?: string };

function readOptions(): Options {
  const usage = `usage: npm run bench -- ${optionNames.map((name) => `[--${name} ${defaults[name]}]`).join(' ')} [--instance-memory-mb ${instanceMemorySizes.join('|')}|0] [--host-node-arguments=<node options>]`;
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      options: {
        ...Object.fromEntries(optionNames.map((name) => [name, { type: 'string' as const }])),
        'instance-memory-mb': { type: 'string', default: '2048' },
        'host-node-arguments': { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const hostNodeArguments = values['host-node-arguments'];
  const instanceMemoryInMb = Number(values['instance-memory-mb']);
  if (instanceMemoryInMb !== 0 && !instanceMemorySizes.includes(instanceMemoryInMb)) {
    console.error(
      `--instance-memory-mb must be one of ${instanceMemorySizes.join(', ')} (Flex Consumption sizes) or 0 (this machine's memory), got '${values['instance-memory-mb']}'.`,
    );
    process.exit(2);
  }
  const options: Options = {
    ...defaults,
    instanceMemoryInMb,
    ...(typeof hostNodeArguments === 'string' ? { hostNodeArguments } : {}),
  };
  for (const name of optionNames) {
    const raw = values[name];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < (name === 'latency-ms' ? 0 : 1)) {
      console.error(
        `--${name} must be a ${name === 'latency-ms' ? 'non-negative' : 'positive'} integer, got '${raw}'.`,
      );
      process.exit(2);
    }
    options[name] = value;
  }
  return options;
}

const say = (line: string) => console.log(`bench: ${line}`);

function build(): boolean {
  say('building the app (npm run build)…');
  const result = spawnSync('npm', ['run', 'build'], { cwd: repositoryRoot, encoding: 'utf8' });
  if (result.status === 0) return true;
  say(
    `npm run build reported errors (the host runs the TypeScript sources instead):\n${result.stdout.split('\n').slice(-12).join('\n')}`,
  );
  return false;
}

function m2mRequest(sandbox: Sandbox, requestId: string, name: string): Record<string, unknown> {
  return {
    requestId,
    action: 'upsert',
    requestedBy: 'pipeline: bench',
    connection: { name, host: 'sales-srv.database.windows.net' },
    auth: {
      flow: 'M2M',
      tenantId: sandbox.cloud.tenantId,
      clientId: sandbox.cloud.sqlApp.appId,
      clientSecretRef: sandbox.cloud.sqlApp.secretName,
    },
  };
}

interface BurstResult {
  count: number;
  totalInMs: number;
  created: number;
  statuses: Record<string, number>;
  latenciesInMs: number[];
  rateLimited: number;
  missing: number;
  createdTwice: number;
  conflicts: number;
  deadLettered: number;
}

/** N requests enqueued at once; measured until every one has a terminal status. */
async function burst(
  sandbox: Sandbox,
  client: ServiceBusClient,
  statuses: StatusClient,
  count: number,
  rate: number,
) {
  const { databricks, serviceBus, requestQueue } = sandbox.cloud;
  const before = databricks.control.counts();
  const logStart = databricks.control.requestLog().length;
  const names = Array.from({ length: count }, (_, i) => `bench_${i}`);
  const ids = names.map((name) => `bench-${name}-${Date.now()}`);
  const sentAt = new Map<string, number>();
  const sender = client.createSender(requestQueue);
  const firstSend = Date.now();
  let batch = await sender.createMessageBatch();
  let inBatch: string[] = [];
  const flush = async () => {
    const at = Date.now();
    await sender.sendMessages(batch);
    for (const id of inBatch) sentAt.set(id, at);
    batch = await sender.createMessageBatch();
    inBatch = [];
  };
  for (let i = 0; i < count; i++) {
    const id = ids[i] as string;
    const message: ServiceBusMessage = {
      messageId: id,
      contentType: 'application/json',
      body: m2mRequest(sandbox, id, names[i] as string),
    };
    if (!batch.tryAddMessage(message)) {
      await flush();
      batch.tryAddMessage(message);
    }
    inBatch.push(id);
  }
  await flush();
  await sender.close();
  say(`enqueued ${count} requests in ${Date.now() - firstSend} ms; waiting for the host…`);
  await serviceBus.control.waitUntilIdle(requestQueue, Math.max(180_000, (count / rate) * 4_000));
  const views = await statuses.getAll(ids);
  const after = databricks.control.counts();
  const posts = databricks.control
    .requestLog()
    .slice(logStart)
    .filter((entry) => entry.method === 'POST' && entry.path.endsWith('/connections'));
  const terminal = [...views.values()];
  const lastTerminal = Math.max(...terminal.map((view) => Date.parse(view.updatedAt)));
  const statusCounts: Record<string, number> = {};
  for (const view of terminal) statusCounts[view.status] = (statusCounts[view.status] ?? 0) + 1;
  statusCounts['no status'] = count - terminal.length;
  if (statusCounts['no status'] === 0) delete statusCounts['no status'];
  const stored = names.filter((name) => databricks.control.storedConnection(name) !== undefined).length;
  const created = after.created - before.created;
  return {
    count,
    totalInMs: lastTerminal - firstSend,
    created,
    statuses: statusCounts,
    latenciesInMs: terminal.map(
      (view: RequestStatusView) => Date.parse(view.updatedAt) - (sentAt.get(view.requestId) ?? firstSend),
    ),
    rateLimited: after.rateLimited - before.rateLimited,
    missing: count - stored,
    createdTwice: created - stored,
    conflicts: posts.filter((entry) => entry.status === 409).length,
    deadLettered: serviceBus.control.deadLetters(requestQueue).length,
  } satisfies BurstResult;
}

/** One request at a time: enqueue, then poll the status endpoint until it is terminal. */
async function singles(
  sandbox: Sandbox,
  client: ServiceBusClient,
  statuses: StatusClient,
  count: number,
  prefix: string,
) {
  const sender = client.createSender(sandbox.cloud.requestQueue);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const id = `${prefix}-${i}-${Date.now()}`;
      const sentAt = Date.now();
      await sender.sendMessages({
        messageId: id,
        contentType: 'application/json',
        body: m2mRequest(sandbox, id, `${prefix}_${i}`),
      });
      const view = await statuses.waitForTerminal(id, 30_000);
      if (view.status !== 'succeeded')
        throw new Error(`${id} ended ${view.status}: ${JSON.stringify(view.reasons)}`);
      latencies.push(Date.parse(view.updatedAt) - sentAt);
    }
  } finally {
    await sender.close();
  }
  return latencies;
}

function mark(ok: boolean): string {
  return ok ? '✓' : '✗';
}

function report(
  options: Record<OptionName, number>,
  result: BurstResult,
  loop: { perSecond: number; created: number; failed: number },
  single: number[],
  peakMemoryInBytes: number | undefined,
  coldStart: ColdStart | undefined,
  host: string,
): string {
  const rate = options['rate-limit'];
  const perSecond = result.created / (result.totalInMs / 1000);
  const ratioToLimit = perSecond / rate;
  const ratioToLoop = perSecond / loop.perSecond;
  const singleP95 = percentile(single, 95);
  const memoryInMb = peakMemoryInBytes === undefined ? Number.NaN : peakMemoryInBytes / 1024 / 1024;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    '',
    `Benchmark — Databricks stand-in: ${options['latency-ms']} ms per call, ${rate} calls/s; ${host}`,
    '',
    `Throughput: ${result.count} M2M requests enqueued at once`,
    `  total time, first enqueue → last terminal status   ${seconds(result.totalInMs)}`,
    `  connections created per second                     ${perSecond.toFixed(2)}/s = ${ratioToLimit.toFixed(2)} × the rate limit   (target ≥ 0.90 ${mark(ratioToLimit >= 0.9)})`,
    `  enqueue → terminal status, p50 / p95 / p99         ${seconds(percentile(result.latenciesInMs, 50))} / ${seconds(percentile(result.latenciesInMs, 95))} / ${seconds(percentile(result.latenciesInMs, 99))}`,
    `  statuses                                           ${Object.entries(result.statuses)
      .map(([status, n]) => `${status} ${n}`)
      .join(', ')}; dead-lettered messages ${result.deadLettered}`,
    `  429 responses from Databricks                      ${result.rateLimited}`,
    `  connections missing / created twice / 409s         ${result.missing} / ${result.createdTwice} / ${result.conflicts}   (target 0 / 0 ${mark(result.missing === 0 && result.createdTwice === 0)})`,
    `  host peak memory (VmHWM)                           ${memoryInMb.toFixed(0)} MB   (target ≤ 150 MB ${mark(memoryInMb <= 150)})`,
    '',
    `Sequential REST loop, ${options['loop-count']} creates (what a pipeline script would do)`,
    `  connections created per second                     ${loop.perSecond.toFixed(2)}/s (${loop.created} created, ${loop.failed} failed)`,
    `  provisioner ÷ loop                                 ${ratioToLoop.toFixed(1)} ×   (target ≥ 8 ${mark(ratioToLoop >= 8)})`,
    '',
    `Single requests, one at a time (${single.length})`,
    `  enqueue → terminal status, p50 / p95               ${percentile(single, 50).toFixed(0)} / ${singleP95.toFixed(0)} ms   (target p95 ≤ ${options['latency-ms'] + 300} ms ${mark(singleP95 <= options['latency-ms'] + 300)})`,
  ];
  if (coldStart) {
    const ratio = coldStart.appMedianInMs / coldStart.bareMedianInMs;
    lines.push(
      '',
      `Cold start: import time in a fresh node process, median of ${coldStart.runs}`,
      `  function app (package.json main)                   ${coldStart.appMedianInMs.toFixed(1)} ms`,
      `  bare @azure/functions app                          ${coldStart.bareMedianInMs.toFixed(1)} ms   ratio ${ratio.toFixed(2)}   (target ≤ 1.5 ${mark(ratio <= 1.5)})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const options = readOptions();
  const built = build();
  let coldStart: ColdStart | undefined;
  if (built) {
    say(`measuring cold start (${options['cold-start-runs']} runs each)…`);
    const layout = builtLayout(repositoryRoot);
    coldStart = measureColdStart(
      repositoryRoot,
      expandMainGlob(layout.entryPattern, layout.root),
      options['cold-start-runs'],
    );
  }
  const rate = options['rate-limit'];
  const hostNodeArguments = [
    options.instanceMemoryInMb ? heapOptionsForInstance(options.instanceMemoryInMb) : '',
    options.hostNodeArguments ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  say('starting the local cloud and the function host…');
  const sandbox = await startSandbox({
    ports: 'free',
    build: built ? 'built' : 'source',
    directory: join(repositoryRoot, 'node_modules', '.cache', 'ucprov-bench', 'sandbox'),
    // The workspace's limit is known to the operator: the client-side limiter is set to it (default 15/s).
    appSettings: {
      DATABRICKS_MAX_REQUESTS_PER_SECOND: String(rate),
      ...(hostNodeArguments ? { languageWorkers__node__arguments: hostNodeArguments } : {}),
    },
    onHostOutput: () => {},
    onProgress: (line) => say(line),
  });
  const client = new ServiceBusClient(sandbox.cloud.serviceBus.connectionString);
  const statuses = new StatusClient(sandbox.host.url, sandbox.host.keys.functionKey);
  try {
    sandbox.cloud.databricks.control.setLatency(options['latency-ms']);
    sandbox.cloud.databricks.control.setRateLimit(rate);
    say('warming up (one request)…');
    await singles(sandbox, client, statuses, 1, 'bench_warmup');
    say(`single requests, one at a time (${options['single-count']})…`);
    const single = await singles(sandbox, client, statuses, options['single-count'], 'bench_single');
    say(`throughput: ${options.count} requests…`);
    const result = await burst(sandbox, client, statuses, options.count, rate);
    const peakMemory = sandbox.host.peakMemoryInBytes();
    say(`sequential REST loop (${options['loop-count']})…`);
    const loop = await runSequentialLoop(sandbox.cloud, options['loop-count'], 'bench_loop_');
    console.log(
      report(
        options,
        result,
        { perSecond: loop.created / (loop.elapsedInMs / 1000), created: loop.created, failed: loop.failed },
        single,
        peakMemory,
        coldStart,
        `host: ${built ? 'built app (dist/)' : 'TypeScript sources'}, maxConcurrentCalls ${readHostConfiguration(join(repositoryRoot, 'host.json')).serviceBus.maxConcurrentCalls} (host.json), DATABRICKS_MAX_REQUESTS_PER_SECOND=${rate}, heap sized for ${options.instanceMemoryInMb ? `a ${options.instanceMemoryInMb} MB instance` : "this machine's memory"}, node options: ${hostNodeArguments || 'none'}`,
      ),
    );
  } finally {
    await client.close();
    await sandbox.stop();
  }
}

await main();
process.exit(0);
