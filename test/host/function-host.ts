import { join } from 'node:path';
import type { ServiceBusClient } from '@azure/service-bus';
import type { FunctionDefinition } from '../../functions/shared/define-function.js';
import { resolveAppSettingPlaceholders } from './app-setting-placeholders.js';
import { type HostConfiguration, readHostConfiguration } from './host-configuration.js';
import { generateHostKeys, type HostKeys } from './host-keys.js';
import { consoleHostLog, type HostLog } from './host-log.js';
import { type HttpFunctionEntry, HttpListener } from './http/http-listener.js';
import { compileRouteTemplate } from './http/route-template.js';
import { createInvocationContext } from './invocation-context.js';
import { runInvocation } from './run-invocation.js';
import { triggerInputFromBody } from './service-bus/message-body.js';
import {
  assertServiceBusConnectionConfigured,
  serviceBusClientFromSettings,
} from './service-bus/service-bus-client-from-settings.js';
import { type ServiceBusFunctionEntry, ServiceBusListener } from './service-bus/service-bus-listener.js';
import { parseNcrontab } from './timer/ncrontab.js';
import { InMemoryScheduleMonitor, type ScheduleMonitor } from './timer/schedule-monitor.js';
import { defaultUseMonitor, type TimerFunctionEntry, TimerListener } from './timer/timer-listener.js';

export interface FunctionHostOptions {
  /** What the app registered (see load-function-app.ts), or test fixtures of the same shape. */
  functions: readonly FunctionDefinition[];
  /** App settings: `%Name%` placeholders and `connection` names resolve against them. Default `process.env`. */
  settings?: Record<string, string | undefined>;
  /** Default: `host.json` in the working directory, with `AzureFunctionsJobHost__…` overrides from settings. */
  configuration?: HostConfiguration;
  /** Default: fresh random keys. */
  keys?: HostKeys;
  /** Default 7071 (`func start`); 0 picks a free port. */
  port?: number;
  log?: HostLog;
  /** Where timer statuses are kept; default in memory. */
  scheduleMonitor?: ScheduleMonitor;
}

/** One line per function, as `func start` lists them at startup. */
export interface FunctionSummary {
  name: string;
  trigger: FunctionDefinition['trigger'];
  /** HTTP: `[GET,POST] http://127.0.0.1:7071/api/requests/{id}` (authLevel in brackets when not anonymous). */
  description: string;
}

export class HostStartupError extends Error {
  override name = 'HostStartupError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`The function host cannot start:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.problems = problems;
  }
}

interface Plan {
  http: HttpFunctionEntry[];
  serviceBus: Array<ServiceBusFunctionEntry & { connection: string }>;
  timers: TimerFunctionEntry[];
}

/**
 * Runs function definitions the way the Azure Functions host does, without Core Tools: HTTP routes with keys,
 * Service Bus queue triggers over @azure/service-bus, NCRONTAB timers, and the admin API. Every definition is
 * validated before anything starts, so a bad setting fails the start with every problem listed.
 */
export class FunctionHost {
  readonly url: string;
  readonly keys: HostKeys;
  readonly functions: readonly FunctionSummary[];
  readonly #http: HttpListener;
  readonly #serviceBus: ServiceBusListener[];
  readonly #timers: Map<string, TimerListener>;
  readonly #clients: ServiceBusClient[];
  readonly #log: HostLog;
  #stopping: Promise<void> | undefined;

  private constructor(parts: {
    http: HttpListener;
    keys: HostKeys;
    functions: FunctionSummary[];
    serviceBus: ServiceBusListener[];
    timers: Map<string, TimerListener>;
    clients: ServiceBusClient[];
    log: HostLog;
  }) {
    this.#http = parts.http;
    this.url = parts.http.url;
    this.keys = parts.keys;
    this.functions = parts.functions;
    this.#serviceBus = parts.serviceBus;
    this.#timers = parts.timers;
    this.#clients = parts.clients;
    this.#log = parts.log;
  }

  static async start(options: FunctionHostOptions): Promise<FunctionHost> {
    const settings = options.settings ?? process.env;
    const log = options.log ?? consoleHostLog;
    const keys = options.keys ?? generateHostKeys();
    let configuration: HostConfiguration;
    try {
      configuration =
        options.configuration ?? readHostConfiguration(join(process.cwd(), 'host.json'), settings);
    } catch (error) {
      throw new HostStartupError([error instanceof Error ? error.message : String(error)]);
    }
    const plan = planFunctions(options.functions, settings, configuration);
    const definitions = new Map(options.functions.map((definition) => [definition.name, definition]));

    const clients = new Map<string, ServiceBusClient>();
    const serviceBus: ServiceBusListener[] = [];
    const timers = new Map<string, TimerListener>();
    let http: HttpListener | undefined;
    const stopStarted = async () => {
      await http?.close();
      await Promise.allSettled(serviceBus.map((listener) => listener.stop()));
      await Promise.allSettled([...timers.values()].map((listener) => listener.stop()));
      await Promise.allSettled([...clients.values()].map((client) => client.close()));
    };
    try {
      http = await HttpListener.start({
        functions: plan.http,
        keys,
        log,
        port: options.port ?? 7071,
        admin: {
          runFunction: (name, input) => {
            const definition = definitions.get(name);
            if (!definition) return 'unknown-function';
            if (definition.trigger === 'http') return 'http-function';
            void runManually(definition, input, timers, log);
            return 'accepted';
          },
          hostStatus: () => ({
            state: 'Running',
            version: 'local',
            processUptime: Math.round(process.uptime() * 1000),
            functions: [...definitions.keys()],
          }),
        },
      });
      for (const entry of plan.serviceBus) {
        let client = clients.get(entry.connection);
        if (!client) {
          client = serviceBusClientFromSettings(entry.connection, settings, `Function '${entry.name}'`);
          clients.set(entry.connection, client);
        }
        serviceBus.push(
          ServiceBusListener.start({
            entry,
            client,
            maxConcurrentCalls: configuration.serviceBus.maxConcurrentCalls,
            maxAutoLockRenewalDurationInMs: configuration.serviceBus.maxAutoLockRenewalDurationInMs,
            log,
          }),
        );
      }
      const monitor = options.scheduleMonitor ?? new InMemoryScheduleMonitor();
      for (const entry of plan.timers) {
        timers.set(entry.name, await TimerListener.start({ entry, monitor, log }));
      }
    } catch (error) {
      await stopStarted();
      throw error;
    }
    const functions = describeFunctions(plan, http.url);
    log({
      at: new Date(),
      level: 'information',
      category: 'Host',
      message: `Functions:\n${functions.map((summary) => `  ${summary.name}: ${summary.description}`).join('\n')}`,
    });
    return new FunctionHost({
      http,
      keys,
      functions,
      serviceBus,
      timers,
      clients: [...clients.values()],
      log,
    });
  }

  /** Stops taking work, waits for invocations in flight, closes connections. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#log({ at: new Date(), level: 'information', category: 'Host', message: 'Stopping the host.' });
      await this.#http.close();
      await Promise.allSettled(this.#serviceBus.map((listener) => listener.stop()));
      await Promise.allSettled([...this.#timers.values()].map((listener) => listener.stop()));
      await Promise.allSettled(this.#clients.map((client) => client.close()));
    })();
    return this.#stopping;
  }
}

/** Manual runs: a timer takes its listener's lock; a Service Bus function gets the input as its message body. */
async function runManually(
  definition: Exclude<FunctionDefinition, { trigger: 'http' }>,
  input: string,
  timers: Map<string, TimerListener>,
  log: HostLog,
): Promise<void> {
  if (definition.trigger === 'timer') {
    await timers.get(definition.name)?.runManually();
    return;
  }
  // [inferred] The host builds a message from the input; a manual message has no broker behind it to settle.
  const context = createInvocationContext({
    functionName: definition.name,
    triggerType: 'serviceBusTrigger',
    triggerMetadata: {
      messageId: crypto.randomUUID(),
      deliveryCount: 1,
      enqueuedTimeUtc: new Date().toISOString(),
    },
    log,
  });
  await runInvocation(
    log,
    context,
    'This function was programmatically called via the host APIs.',
    async () => definition.options.handler(triggerInputFromBody(input), context),
  ).catch(() => undefined);
}

function planFunctions(
  functions: readonly FunctionDefinition[],
  settings: Record<string, string | undefined>,
  configuration: HostConfiguration,
): Plan {
  const problems: string[] = [];
  const plan: Plan = { http: [], serviceBus: [], timers: [] };
  const seen = new Set<string>();
  for (const definition of functions) {
    const where = `Function '${definition.name}'`;
    if (seen.has(definition.name.toLowerCase())) {
      problems.push(`${where} is registered twice; function names must be unique (case-insensitively).`);
      continue;
    }
    seen.add(definition.name.toLowerCase());
    try {
      switch (definition.trigger) {
        case 'http': {
          const { options } = definition;
          plan.http.push({
            name: definition.name,
            // @azure/functions defaults (src/trigger.ts `http()`): anonymous, GET and POST; route = function name.
            methods: new Set((options.methods ?? ['GET', 'POST']).map((method) => method.toUpperCase())),
            authLevel: options.authLevel ?? 'anonymous',
            route: compileRouteTemplate(configuration.routePrefix, options.route ?? definition.name),
            handler: options.handler,
          });
          break;
        }
        case 'serviceBusQueue': {
          const { options } = definition;
          const unsupported = [
            options.cardinality === 'many' && "cardinality 'many'",
            options.isSessionsEnabled && 'isSessionsEnabled: true (session queues)',
            options.sdkBinding && 'sdkBinding: true (SDK-type bindings)',
          ].filter(Boolean);
          const found: string[] = unsupported.map(
            (what) => `${where}: ${what} is not supported by the local host.`,
          );
          let queueName = '';
          try {
            queueName = resolveAppSettingPlaceholders(options.queueName, settings, `${where}, queueName`);
          } catch (error) {
            found.push((error as Error).message);
          }
          try {
            if (!options.connection) throw new Error(`${where}: 'connection' names no app setting.`);
            assertServiceBusConnectionConfigured(options.connection, settings, where);
          } catch (error) {
            found.push((error as Error).message);
          }
          if (found.length > 0) {
            problems.push(...found);
            break;
          }
          plan.serviceBus.push({
            name: definition.name,
            connection: options.connection,
            queueName,
            autoCompleteMessages:
              options.autoCompleteMessages ?? configuration.serviceBus.autoCompleteMessages,
            handler: options.handler,
          });
          break;
        }
        case 'timer': {
          const { options } = definition;
          const expression = resolveAppSettingPlaceholders(options.schedule, settings, `${where}, schedule`);
          const schedule = parseNcrontab(expression);
          plan.timers.push({
            name: definition.name,
            schedule,
            runOnStartup: options.runOnStartup ?? false,
            useMonitor: options.useMonitor ?? defaultUseMonitor(schedule),
            handler: options.handler,
          });
          break;
        }
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push(message.startsWith(where) ? message : `${where}: ${message}`);
    }
  }
  if (problems.length > 0) throw new HostStartupError(problems);
  return plan;
}

function describeFunctions(plan: Plan, url: string): FunctionSummary[] {
  return [
    ...plan.http.map((entry) => ({
      name: entry.name,
      trigger: 'http' as const,
      description: `[${[...entry.methods].join(',')}] ${url}/${entry.route.template}${entry.authLevel === 'anonymous' ? '' : ` (authLevel ${entry.authLevel})`}`,
    })),
    ...plan.serviceBus.map((entry) => ({
      name: entry.name,
      trigger: 'serviceBusQueue' as const,
      description: `serviceBusTrigger on queue '${entry.queueName}'`,
    })),
    ...plan.timers.map((entry) => ({
      name: entry.name,
      trigger: 'timer' as const,
      description: `timerTrigger '${entry.schedule.expression}' (UTC)`,
    })),
  ];
}
