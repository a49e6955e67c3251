import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

export interface CompiledHost {
  /** Mirrors the repository layout: `<outDir>/test/host/process/run-host.js`, `<outDir>/functions/*.js`, … */
  outDir: string;
  runHostPath: string;
  remove(): Promise<void>;
}

/**
 * Transpiles the host (test/host) and the app's sources (functions/, src/) file by file to JavaScript, keeping
 * the layout so relative imports still resolve. The host process then runs on plain Node: a TypeScript loader
 * (tsx) in the process would add its own thread and tens of MB to the memory we measure. Output goes under
 * `node_modules/.cache`, so bare imports resolve to the repository's node_modules. Type-only imports are marked
 * (`verbatimModuleSyntax`), so file-by-file transpiling is exact.
 */
export async function compileForHost(appRoot: string, includeApp: boolean): Promise<CompiledHost> {
  const cacheDir = join(appRoot, 'node_modules', '.cache', 'ucprov-local-host');
  await removeOrphans(cacheDir);
  const outDir = join(cacheDir, randomUUID());
  const roots = ['test/host', ...(includeApp ? ['functions', 'src'] : [])];
  const entryPoints = roots.flatMap((root) => typeScriptFiles(join(appRoot, root)));
  await build({
    entryPoints,
    outdir: outDir,
    outbase: appRoot,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  await writeFile(join(outDir, ownerFile), String(process.pid));
  return {
    outDir,
    runHostPath: join(outDir, 'test', 'host', 'process', 'run-host.js'),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}

function typeScriptFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .filter((entry) => !entry.name.endsWith('.test.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !relative(directory, path).split('/').includes('node_modules'));
}

/** Records which process compiled a copy; its host child exits with it (IPC disconnect), so the copy is then unused. */
const ownerFile = 'owner.pid';

/** Copies left behind by a parent that died without cleaning up (e.g. killed with SIGKILL). */
async function removeOrphans(cacheDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = readdirSync(cacheDir);
  } catch {
    return;
  }
  await Promise.all(
    entries.map(async (entry) => {
      const owner = Number(await readFile(join(cacheDir, entry, ownerFile), 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(owner) && !isAlive(owner))
        await rm(join(cacheDir, entry), { recursive: true, force: true });
    }),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
