#!/usr/bin/env node
// Stages the folder `azd deploy` zips for the function app (azure.yaml: `dist: dist/function-app`,
// prepackage hook). Without it azd would zip the project directory with all of node_modules, dev
// tools included (azurite, playwright-core, …: ~550 MB instead of ~15 MB), which slows deployments
// and cold starts on Flex Consumption, where the package is fetched from blob storage.
//
// The package holds what the Functions host loads (package.json `main`, host.json) and the production
// dependencies, copied from the installed node_modules as package-lock.json lists them, so it runs the
// exact versions the tests ran, with no network. A `dev: true` lock entry is a devDependency only
// (https://docs.npmjs.com/cli/configuring-npm/package-lock-json#packages); `npm ci --omit=dev` skips
// exactly those.
//
// Usage: node infra/hooks/stage-function-package.mjs [--project <dir>] [--dist <dir>] [--out <dir>]
//   --project  the app's root (package.json, package-lock.json, host.json); default: this repository
//   --dist     the compiled output of `npm run build`; default: <project>/dist
//   --out      the folder to stage; default: <project>/dist/function-app (emptied first)
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// Files Node never loads from a dependency: TypeScript sources and declarations (Node does not strip
// types under node_modules), source maps, Markdown. In this app's dependencies they are about 6,500 of
// 11,000 files and 48 of 62 MB; licence files stay.
const notLoadedAtRuntime = /\.(d\.)?[mc]?ts$|\.map$|\.md$/i;

const { values } = parseArgs({
  options: { project: { type: 'string' }, dist: { type: 'string' }, out: { type: 'string' } },
});
const project = resolve(values.project ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..'));
const dist = resolve(values.dist ?? join(project, 'dist'));
const out = resolve(values.out ?? join(project, 'dist', 'function-app'));

try {
  const summary = stage();
  console.log(
    `Staged ${relative(process.cwd(), out) || '.'}: ${summary.packages} production packages, ${summary.megabytes} MB.`,
  );
} catch (error) {
  console.error(`stage-function-package: ${error.message}`);
  process.exitCode = 1;
}

function stage() {
  const packageJson = readJson(join(project, 'package.json'));
  const main = String(packageJson.main ?? '');
  // The host loads `main` relative to the package root, so compiled code must sit under the same path.
  if (!main.startsWith('dist/')) {
    throw new Error(`package.json "main" must point into dist/ (e.g. dist/functions/*.js), is '${main}'.`);
  }
  const entryDirectory = join(dist, dirname(main.slice('dist/'.length)));
  if (!existsSync(entryDirectory) || !readdirSync(entryDirectory).some((name) => name.endsWith('.js'))) {
    throw new Error(`no compiled functions in ${entryDirectory}: run 'npm run build' first.`);
  }

  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(project, 'host.json'), join(out, 'host.json'));
  // The host reads `main` and `type`; scripts (e.g. a `prepare` build) and devDependencies describe the
  // development checkout, and would break a remote `npm install` of this folder, so they stay behind.
  const { scripts: _scripts, devDependencies: _devDependencies, ...deployed } = packageJson;
  writeFileSync(join(out, 'package.json'), `${JSON.stringify(deployed, null, 2)}\n`);
  // Entry by entry, because `out` may live inside `dist` (cpSync refuses to copy a folder into itself).
  // Source maps stay behind, as .funcignore has it.
  for (const name of readdirSync(dist)) {
    const source = join(dist, name);
    if (source === out || out.startsWith(source + sep)) continue;
    cpSync(source, join(out, 'dist', name), { recursive: true, filter: (file) => !file.endsWith('.map') });
  }

  const lock = readJson(join(project, 'package-lock.json'));
  if (!lock.packages)
    throw new Error('package-lock.json has no "packages" (lockfileVersion 2 or later needed).');
  let packages = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.link) continue;
    const source = join(project, path);
    if (!existsSync(source)) {
      if (entry.optional || entry.devOptional || entry.peer) continue; // not installed on this platform
      throw new Error(`${path} is in package-lock.json but not installed: run 'npm ci' first.`);
    }
    // Nested node_modules are lock entries of their own (and may be dev-only), so each is copied once, by its own entry.
    const nested = join(source, 'node_modules');
    cpSync(source, join(out, path), {
      recursive: true,
      filter: (file) => file !== nested && !file.startsWith(nested + sep) && !notLoadedAtRuntime.test(file),
    });
    packages += 1;
  }
  return { packages, megabytes: Math.round(directorySize(out) / 1e5) / 10 };
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${error.message}`);
  }
}

function directorySize(directory) {
  let bytes = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    bytes += entry.isDirectory() ? directorySize(path) : statSync(path).size;
  }
  return bytes;
}
