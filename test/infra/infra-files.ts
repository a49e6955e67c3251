import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import type { FunctionDefinition } from '../../functions/shared/define-function.js';
import { type BicepFile, findKey, objectKeys, objectText, readBicep } from './bicep-text.js';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const infraDirectory = join(repositoryRoot, 'infra');

/** Every .bicep file under infra/, read once per test file. */
export function readAllBicep(): BicepFile[] {
  return listFiles(infraDirectory)
    .filter((file) => file.endsWith('.bicep'))
    .map(readBicep);
}

export function readMainBicep(): BicepFile {
  return readBicep(join(infraDirectory, 'main.bicep'));
}

export interface AppSetting {
  name: string;
  /** The value expression as written, e.g. `'managedidentity'` or `string(settings.smtpPort)`. */
  value: string;
  file: string;
}

/**
 * The function app's settings: the keys of every `Microsoft.Web/sites/config` resource named
 * 'appsettings' (the whole set the template writes), with their value expressions.
 */
export function readAppSettings(files: BicepFile[] = readAllBicep()): AppSetting[] {
  const settings: AppSetting[] = [];
  for (const file of files) {
    for (const resource of file.resources) {
      if (resource.type !== 'Microsoft.Web/sites/config') continue;
      if (!/^\s*name: 'appsettings'$/m.test(objectText(file.code, resource.bodyStart))) continue;
      const properties = findKey(file.code, resource.bodyStart, 'properties');
      if (properties === undefined) throw new Error(`${file.path}: app settings without a properties object`);
      const block = objectText(file.code, properties);
      for (const name of objectKeys(file.code, properties)) {
        const value = new RegExp(`^[ \\t]*${name}:[ \\t]*(.+)$`, 'm').exec(block)?.[1]?.trim() ?? '';
        settings.push({ name, value, file: file.path });
      }
    }
  }
  return settings;
}

/** Every function the app defines, as the Functions host would see it (names, triggers, options). */
export async function loadFunctionDefinitions(): Promise<FunctionDefinition[]> {
  // Importing a function file registers it; outside the Functions host @azure/functions only warns.
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const directory = join(repositoryRoot, 'functions');
    for (const file of readdirSync(directory).filter((name) => name.endsWith('.ts'))) {
      await import(join(directory, file));
    }
    return (await import('../../functions/shared/define-function.js')).registeredFunctions;
  } finally {
    warn.mockRestore();
  }
}

export function listFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}
