import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFiles, loadFunctionDefinitions, repositoryRoot } from './infra-files.js';

const run = promisify(execFile);
const stageScript = join(repositoryRoot, 'infra', 'hooks', 'stage-function-package.mjs');

interface PackageJson {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
interface LockEntry {
  dev?: boolean;
}

const packageJson = JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as PackageJson;
const lock = JSON.parse(readFileSync(join(repositoryRoot, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

/**
 * Runs in the staged package, as the Functions host would: loads every file package.json `main`
 * matches, then reports the functions they registered and every bare import specifier in the
 * package's code (static or dynamic) that does not resolve from inside the package.
 */
const probe = `
import { readdirSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
const main = JSON.parse(readFileSync('package.json', 'utf8')).main;
const [directory, pattern] = [main.slice(0, main.lastIndexOf('/')), main.slice(main.lastIndexOf('/') + 1)];
const matcher = new RegExp('^' + pattern.replace(/[.]/g, '\\\\.').replace('*', '[^/]*') + '$');
for (const file of readdirSync(directory).filter((name) => matcher.test(name))) await import('./' + directory + '/' + file);
const { registeredFunctions } = await import('./dist/functions/shared/define-function.js');
const unresolved = [];
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
  entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith('.js') ? [join(dir, entry.name)] : []);
for (const file of walk('dist')) {
  for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:\\bfrom|\\bimport)\\s*\\(?\\s*["']([^"'.\\/][^"']*)["']/g)) {
    if (isBuiltin(specifier)) continue;
    try { import.meta.resolve(specifier); } catch { unresolved.push(file + ': ' + specifier); }
  }
}
console.log(JSON.stringify({ functions: registeredFunctions.map((f) => f.name), unresolved }));
`;

describe('the deployment package (azure.yaml prepackage hook)', () => {
  let workspace: string;
  let dist: string;
  let out: string;
  let stageOutput: string;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'ucprov-package-'));
    dist = join(workspace, 'dist');
    out = join(dist, 'function-app'); // inside the build output, as azure.yaml has it (dist/function-app)
    // `npm run build` runs tsc; esbuild transpiles the same files file by file in well under a second,
    // which is all this test needs (same output layout, same import specifiers; type-checking is
    // `npm run typecheck`'s job).
    const sources = ['src', 'functions', 'cli'].flatMap((folder) =>
      listFiles(join(repositoryRoot, folder)).filter(
        (file) => file.endsWith('.ts') && !file.endsWith('.d.ts'),
      ),
    );
    await build({
      entryPoints: sources,
      outdir: dist,
      outbase: repositoryRoot,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: true,
      logLevel: 'silent',
    });
    stageOutput = (await run(process.execPath, [stageScript, '--dist', dist, '--out', out])).stdout;
  }, 60_000);

  afterAll(() => {
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('holds what the Functions host loads: package.json, host.json and the compiled functions', () => {
    expect(stageOutput).toMatch(/production packages/);
    expect(readFileSync(join(out, 'host.json'), 'utf8')).toBe(
      readFileSync(join(repositoryRoot, 'host.json'), 'utf8'),
    );
    const { scripts: _scripts, devDependencies: _devDependencies, ...deployed } = packageJson;
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'))).toEqual(deployed);
    expect(
      readdirSync(join(out, 'dist', 'functions')).filter((name) => name.endsWith('.js')).length,
    ).toBeGreaterThan(0);
    expect(listFiles(join(out, 'dist')).filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(existsSync(join(out, 'dist', 'function-app')), 'the package never contains itself').toBe(false);
  });

  it('leaves out what Node never loads from a dependency: declarations, TypeScript sources, maps, Markdown', () => {
    const files = listFiles(join(out, 'node_modules'));
    expect(files.filter((file) => /\.(d\.)?[mc]?ts$|\.map$|\.md$/i.test(file))).toEqual([]);
    expect(files.some((file) => /LICEN[CS]E/i.test(file))).toBe(true);
  });

  it('carries every production dependency and no development-only package', () => {
    const installed = (name: string) => existsSync(join(out, 'node_modules', name, 'package.json'));
    expect(Object.keys(packageJson.dependencies).filter((name) => !installed(name))).toEqual([]);
    const devOnly = Object.keys(packageJson.devDependencies).filter(
      (name) => lock.packages[`node_modules/${name}`]?.dev === true,
    );
    expect(devOnly).toEqual(expect.arrayContaining(['azurite', 'vitest', 'playwright-core', 'typescript']));
    expect(devOnly.filter(installed)).toEqual([]);
  });

  it('loads every function the source defines, resolving every import from the package alone', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: out });
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      functions: string[];
      unresolved: string[];
    };
    expect(report.unresolved).toEqual([]);
    const source = await loadFunctionDefinitions();
    expect(report.functions.sort()).toEqual(source.map((definition) => definition.name).sort());
  });

  it('stops with what to run when nothing has been built', async () => {
    const empty = join(workspace, 'empty');
    mkdirSync(empty);
    const failure = await run(process.execPath, [
      stageScript,
      '--dist',
      empty,
      '--out',
      join(workspace, 'x'),
    ]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("run 'npm run build' first");
  });
});
