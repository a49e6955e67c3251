import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Expands a `package.json` `main` pattern the way the Node worker does before loading each match
 * (azure-functions-nodejs-worker src/startApp.ts, `globby(entryPointPattern, {cwd: appDir})`), for the pattern
 * shapes Functions templates use: brace lists `{index.js,functions/*.js}` and `*` / `?` within one path segment.
 * Returns absolute paths of files, sorted within each brace alternative.
 */
export function expandMainGlob(pattern: string, appRoot: string): string[] {
  const files: string[] = [];
  for (const alternative of expandBraces(pattern)) {
    const matches = matchSegments(
      appRoot,
      alternative.split('/').filter((part) => part !== '' && part !== '.'),
    );
    for (const file of matches.sort()) if (!files.includes(file)) files.push(file);
  }
  return files;
}

function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open === -1) return [pattern];
  const close = pattern.indexOf('}', open);
  if (close === -1) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return pattern
    .slice(open + 1, close)
    .split(',')
    .flatMap((choice) => expandBraces(`${head}${choice}${tail}`));
}

function matchSegments(directory: string, segments: string[]): string[] {
  const [segment, ...rest] = segments;
  if (segment === undefined) return [];
  if (segment === '**') throw new Error("'**' in package.json main is not supported by the local host.");
  const candidates = /[*?]/.test(segment)
    ? safeReaddir(directory).filter((name) => wildcard(segment).test(name))
    : [segment];
  return candidates.flatMap((name) => {
    const path = join(directory, name);
    const stats = safeStat(path);
    if (!stats) return [];
    if (rest.length === 0) return stats.isFile() ? [path] : [];
    return stats.isDirectory() ? matchSegments(path, rest) : [];
  });
}

function wildcard(segment: string): RegExp {
  const source = segment
    .split('')
    .map((char) =>
      char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

function safeReaddir(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

function safeStat(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
