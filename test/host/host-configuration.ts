import { readFileSync } from 'node:fs';
import { parseTimeSpanInMs } from './timespan.js';

/** The parts of host.json the local host honours. Defaults are the Functions host's own. */
export interface HostConfiguration {
  /** `extensions.http.routePrefix`, default `api`. */
  routePrefix: string;
  serviceBus: {
    /** `extensions.serviceBus.maxConcurrentCalls`, default 16 (per instance, non-session). */
    maxConcurrentCalls: number;
    /** `extensions.serviceBus.maxAutoLockRenewalDuration`, default `00:05:00`. */
    maxAutoLockRenewalDurationInMs: number;
    /** `extensions.serviceBus.autoCompleteMessages`, default true; a trigger's own setting wins. */
    autoCompleteMessages: boolean;
  };
}

type AppSettings = Record<string, string | undefined>;

const overridePrefix = 'AzureFunctionsJobHost__';

/** Reads host.json, applying `AzureFunctionsJobHost__…` app-setting overrides. */
export function readHostConfiguration(hostJsonPath: string, settings: AppSettings = {}): HostConfiguration {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(hostJsonPath, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read ${hostJsonPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseHostConfiguration(json, settings);
}

/**
 * Keys and defaults: https://learn.microsoft.com/azure/azure-functions/functions-host-json and the Service Bus
 * extension 5.x table in https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus#hostjson-settings.
 * An app setting `AzureFunctionsJobHost__extensions__serviceBus__maxConcurrentCalls` overrides the file
 * (https://learn.microsoft.com/azure/azure-functions/functions-host-json#override-hostjson-values); .NET
 * configuration keys are case-insensitive, so these lookups are too.
 */
export function parseHostConfiguration(hostJson: unknown, settings: AppSettings = {}): HostConfiguration {
  const read = (path: string[]): unknown => {
    const override = findCaseInsensitive(settings, `${overridePrefix}${path.join('__')}`);
    if (override !== undefined) return override;
    let node: unknown = hostJson;
    for (const key of path) {
      if (typeof node !== 'object' || node === null) return undefined;
      node = findCaseInsensitive(node as Record<string, unknown>, key);
    }
    return node;
  };
  const serviceBus = ['extensions', 'serviceBus'];
  return {
    routePrefix: stringValue(read(['extensions', 'http', 'routePrefix']), 'api').replace(/^\/+|\/+$/g, ''),
    serviceBus: {
      maxConcurrentCalls: positiveInteger(
        read([...serviceBus, 'maxConcurrentCalls']),
        16,
        'host.json extensions.serviceBus.maxConcurrentCalls',
      ),
      maxAutoLockRenewalDurationInMs: timeSpan(
        read([...serviceBus, 'maxAutoLockRenewalDuration']),
        '00:05:00',
        'host.json extensions.serviceBus.maxAutoLockRenewalDuration',
      ),
      autoCompleteMessages: booleanValue(
        read([...serviceBus, 'autoCompleteMessages']),
        true,
        'host.json extensions.serviceBus.autoCompleteMessages',
      ),
    },
  };
}

function findCaseInsensitive<T>(record: Record<string, T>, key: string): T | undefined {
  if (key in record) return record[key];
  const lower = key.toLowerCase();
  for (const [candidate, value] of Object.entries(record))
    if (candidate.toLowerCase() === lower) return value;
  return undefined;
}

function stringValue(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

function positiveInteger(value: unknown, fallback: number, where: string): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new TypeError(`${where} must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return number;
}

function timeSpan(value: unknown, fallback: string, where: string): number {
  if (value === undefined) return parseTimeSpanInMs(fallback, where);
  if (typeof value !== 'string')
    throw new TypeError(`${where} must be a TimeSpan string such as "00:05:00".`);
  return parseTimeSpanInMs(value, where);
}

function booleanValue(value: unknown, fallback: boolean, where: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new TypeError(`${where} must be true or false, got ${JSON.stringify(value)}.`);
}
