import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './statistics.js';

export interface ColdStart {
  appMedianInMs: number;
  bareMedianInMs: number;
  runs: number;
}

/**
 * Cold-start import time, as the worker pays it when an instance starts: a fresh `node` process imports every
 * module package.json `main` names, timed from before the first import to after the last (node's own boot is
 * the same for both and left out). The baseline is a bare app: one module that imports @azure/functions and
 * registers one HTTP function. Runs alternate between the two so drift in machine load hits both alike.
 */
export function measureColdStart(appRoot: string, appModules: string[], runs: number): ColdStart {
  const workDir = join(appRoot, 'node_modules', '.cache', 'ucprov-bench');
  mkdirSync(join(workDir, 'bare-app'), { recursive: true });
  const bareApp = join(workDir, 'bare-app', 'index.mjs');
  writeFileSync(
    bareApp,
    "import { app } from '@azure/functions';\napp.http('hello', { handler: async () => ({ body: 'hello' }) });\n",
  );
  const runner = join(workDir, 'import-modules.mjs');
  writeFileSync(
    runner,
    [
      'const startedAt = performance.now();',
      'for (const url of JSON.parse(process.argv[2])) await import(url);',
      'process.stdout.write(String(performance.now() - startedAt));',
    ].join('\n'),
  );
  const timeImport = (modules: string[]): number => {
    const result = spawnSync(
      process.execPath,
      [runner, JSON.stringify(modules.map((file) => pathToFileURL(file).href))],
      {
        cwd: appRoot,
        encoding: 'utf8',
        // The function app must not need settings to be imported; an empty environment proves it.
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    if (result.status !== 0) throw new Error(`Importing ${modules.join(', ')} failed:\n${result.stderr}`);
    return Number(result.stdout);
  };
  const app: number[] = [];
  const bare: number[] = [];
  for (let run = 0; run < runs; run++) {
    app.push(timeImport(appModules));
    bare.push(timeImport([bareApp]));
  }
  return { appMedianInMs: median(app), bareMedianInMs: median(bare), runs };
}
