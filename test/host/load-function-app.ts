import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionDefinition } from '../../functions/shared/define-function.js';
import { expandMainGlob } from './expand-main-glob.js';

/**
 * Where a copy of the function app lives and how to find its modules: `entryPattern` is what the worker would
 * load (package.json `main` for a build), `registryModule` the module every function registered through.
 */
export interface FunctionAppLayout {
  root: string;
  entryPattern: string;
  registryModule: string;
}

/** The TypeScript sources, for a process that can import TypeScript (vitest, tsx). */
export function sourceLayout(appRoot: string): FunctionAppLayout {
  return {
    root: appRoot,
    entryPattern: 'functions/*.ts',
    registryModule: 'functions/shared/define-function.ts',
  };
}

/** What production deploys: `npm run build` output found through package.json `main`, as the worker finds it. */
export function builtLayout(appRoot: string): FunctionAppLayout {
  const packageJson = JSON.parse(readFileSync(join(appRoot, 'package.json'), 'utf8')) as { main?: unknown };
  if (typeof packageJson.main !== 'string' || packageJson.main === '') {
    throw new Error(
      `package.json in ${appRoot} has no "main": the Functions worker needs it to find the functions.`,
    );
  }
  return {
    root: appRoot,
    entryPattern: packageJson.main,
    registryModule: 'dist/functions/shared/define-function.js',
  };
}

/** The sources transpiled file by file to JavaScript under `root` (see compile-function-app.ts). */
export function transpiledLayout(outDir: string): FunctionAppLayout {
  return {
    root: outDir,
    entryPattern: 'functions/*.js',
    registryModule: 'functions/shared/define-function.js',
  };
}

export interface LoadedFunctionApp {
  files: string[];
  functions: readonly FunctionDefinition[];
}

/**
 * Imports every function module, which registers each function through `functions/shared/define-function.ts`,
 * and returns what they registered: the same definitions (names, triggers, options, handlers) the Functions host
 * learns from `app.*`. Module-level registration is the v4 model's rule
 * (https://learn.microsoft.com/azure/azure-functions/functions-reference-node#registering-a-function).
 */
export async function loadFunctionApp(layout: FunctionAppLayout): Promise<LoadedFunctionApp> {
  const files = expandMainGlob(layout.entryPattern, layout.root);
  if (files.length === 0) {
    throw new Error(
      `No file matches '${layout.entryPattern}' in ${layout.root}${layout.entryPattern.startsWith('dist/') ? ": run 'npm run build' first" : ''}.`,
    );
  }
  for (const file of files) await import(pathToFileURL(file).href);
  const { registeredFunctions } = (await import(
    pathToFileURL(join(layout.root, layout.registryModule)).href
  )) as {
    registeredFunctions: FunctionDefinition[];
  };
  return { files, functions: [...registeredFunctions] };
}
