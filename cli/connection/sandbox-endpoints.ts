import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';

/** The part of `.sandbox/endpoints.json` (written by `npm run sandbox -- --detach`) the CLI uses. */
export interface SandboxEndpoints {
  /** Path of the file, for messages. */
  file: string;
  functionsBaseUrl?: string;
  functionKey?: string;
  serviceBusConnectionString?: string;
  requestQueue?: string;
}

export const sandboxEndpointsPath = join('.sandbox', 'endpoints.json');

/**
 * Reads `.sandbox/endpoints.json` from the current directory, or returns undefined when there is none:
 * that is how `npx ucprov …` finds a sandbox started from the same directory without any option.
 */
export function readSandboxEndpoints(cwd = process.cwd()): SandboxEndpoints | undefined {
  const file = join(cwd, sandboxEndpointsPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw CliError.connection(`Cannot read ${sandboxEndpointsPath}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw CliError.connection(
      `${sandboxEndpointsPath} is not valid JSON; restart the sandbox ('npm run sandbox:stop', then 'npm run sandbox -- --detach') or delete the file.`,
    );
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  const stringField = (key: string) =>
    typeof record[key] === 'string' ? (record[key] as string) : undefined;
  return {
    file,
    functionsBaseUrl: stringField('functionsBaseUrl'),
    functionKey: stringField('functionKey'),
    serviceBusConnectionString: stringField('serviceBusConnectionString'),
    requestQueue: stringField('requestQueue'),
  };
}
