import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies Options;

/** Where the Service Bus queue is: a connection string, or a namespace reached with DefaultAzureCredential. */
export const serviceBusOptions = {
  'connection-string': { type: 'string' },
  namespace: { type: 'string' },
  queue: { type: 'string' },
} as const satisfies Options;

/** Where the status endpoint is and the function key that opens it. */
export const statusEndpointOptions = {
  'functions-url': { type: 'string' },
  'function-key': { type: 'string' },
} as const satisfies Options;

/**
 * `node:util` parseArgs in strict mode, with its errors turned into usage errors that name the command
 * whose `--help` lists the valid options.
 */
export function parseCommandArgs<O extends Options>(command: string, args: string[], options: O) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw CliError.usage(`${message}\nRun 'ucprov ${command} --help' for the options it takes.`);
  }
}

/** A numeric option: a positive number, or a usage error naming the option and what it expects. */
export function positiveNumberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) {
    throw CliError.usage(`--${name}: expected a positive number, got '${value}'.`);
  }
  return number;
}
