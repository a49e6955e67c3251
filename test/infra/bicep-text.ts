import { readFileSync } from 'node:fs';

/**
 * A deliberately small reader for the Bicep files in infra/: the Bicep compiler cannot be installed
 * offline (its npm wrapper and `az bicep install` download the binary), so tests read the template as
 * text. It understands what this template uses: comments, '…' and '''…''' strings, `param`, `output`,
 * `module` and `resource` declarations, and object literals whose keys start their line.
 * Grammar: https://learn.microsoft.com/azure/azure-resource-manager/bicep/file
 */
export interface BicepFile {
  path: string;
  /** The text with comments blanked out (same length, so indexes still match the file). */
  code: string;
  params: Map<string, BicepParam>;
  outputs: Set<string>;
  modules: BicepModule[];
  resources: BicepResource[];
}

export interface BicepParam {
  name: string;
  /** The type as written, e.g. `string`, `int`, `string[]`, `{` for an inline object type. */
  type: string;
  /** The default value expression as written, e.g. `'connection-requests'`, `10`; undefined when required. */
  defaultValue?: string;
}

export interface BicepModule {
  symbol: string;
  /** The module path as written, relative to the declaring file. */
  path: string;
  /** Keys of its `params: { … }` object. */
  params: string[];
}

export interface BicepResource {
  symbol: string;
  /** e.g. `Microsoft.Web/sites/config`. */
  type: string;
  apiVersion: string;
  /** Index of the `{` that opens the resource body in `code`. */
  bodyStart: number;
}

export function readBicep(path: string): BicepFile {
  const code = blankComments(readFileSync(path, 'utf8'));
  const params = new Map<string, BicepParam>();
  for (const match of code.matchAll(/^param (\w+) (.+?)(?: = (.+))?$/gm)) {
    const [, name = '', type = '', defaultValue] = match;
    params.set(name, { name, type: type.trim(), defaultValue: defaultValue?.trim() });
  }
  const outputs = new Set([...code.matchAll(/^output (\w+) /gm)].map((match) => match[1] ?? ''));
  const modules = [...code.matchAll(/^module (\w+) '([^']+)' = \{/gm)].map((match) => {
    const bodyStart = (match.index ?? 0) + match[0].length - 1;
    const paramsBlock = findKey(code, bodyStart, 'params');
    return {
      symbol: match[1] ?? '',
      path: match[2] ?? '',
      params: paramsBlock === undefined ? [] : objectKeys(code, paramsBlock),
    };
  });
  const resources = [
    ...code.matchAll(
      /^resource (\w+) '([^'@]+)@([^']+)'(?: existing)? = (?:\[\s*for [^{]+|if \([^{]+\) )?\{/gm,
    ),
  ].map((match) => ({
    symbol: match[1] ?? '',
    type: match[2] ?? '',
    apiVersion: match[3] ?? '',
    bodyStart: (match.index ?? 0) + match[0].length - 1,
  }));
  return { path, code, params, outputs, modules, resources };
}

/**
 * The keys of the object literal whose `{` is at `openBrace`: identifiers or quoted names that start a
 * line directly inside it (nested objects, arrays and strings are skipped).
 */
export function objectKeys(code: string, openBrace: number): string[] {
  const keys: string[] = [];
  const end = matchingBrace(code, openBrace);
  let depth = 0;
  for (let index = openBrace; index < end; index += 1) {
    const character = code[index];
    if (character === "'") {
      index = stringEnd(code, index);
      continue;
    }
    if (character === '{' || character === '[' || character === '(') depth += 1;
    else if (character === '}' || character === ']' || character === ')') depth -= 1;
    else if (character === '\n' && depth === 1) {
      const key = /^[ \t]*(?:(\w+)|'([^']*)')[ \t]*:/.exec(code.slice(index + 1, end));
      if (key) keys.push(key[1] ?? key[2] ?? '');
    }
  }
  return keys;
}

/** Index of the `{` that opens `key: {` directly inside the object at `openBrace`, if there is one. */
export function findKey(code: string, openBrace: number, key: string): number | undefined {
  const end = matchingBrace(code, openBrace);
  const pattern = new RegExp(`^[ \\t]*${key}[ \\t]*:[ \\t]*\\{`, 'm');
  let depth = 0;
  for (let index = openBrace; index < end; index += 1) {
    const character = code[index];
    if (character === "'") {
      index = stringEnd(code, index);
      continue;
    }
    if (character === '{' || character === '[' || character === '(') depth += 1;
    else if (character === '}' || character === ']' || character === ')') depth -= 1;
    else if (character === '\n' && depth === 1) {
      const match = pattern.exec(code.slice(index + 1, end));
      if (match?.index === 0) return index + 1 + match[0].length - 1;
    }
  }
  return undefined;
}

/** The text of the object literal at `openBrace`, braces included. */
export function objectText(code: string, openBrace: number): string {
  return code.slice(openBrace, matchingBrace(code, openBrace) + 1);
}

function matchingBrace(code: string, openBrace: number): number {
  let depth = 0;
  for (let index = openBrace; index < code.length; index += 1) {
    const character = code[index];
    if (character === "'") index = stringEnd(code, index);
    else if (character === '{' || character === '[' || character === '(') depth += 1;
    else if (character === '}' || character === ']' || character === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new Error(`unbalanced braces from index ${openBrace}`);
}

/** Index of the quote closing the string that opens at `start` ('…' with \-escapes, or '''…'''). */
function stringEnd(code: string, start: number): number {
  if (code.startsWith("'''", start)) {
    const close = code.indexOf("'''", start + 3);
    return close === -1 ? code.length : close + 2;
  }
  for (let index = start + 1; index < code.length; index += 1) {
    if (code[index] === '\\') index += 1;
    else if (code[index] === "'") return index;
  }
  return code.length;
}

/** Replaces `// …` and `/* … *\/` comments (outside strings) with spaces, keeping line breaks. */
function blankComments(text: string): string {
  let result = '';
  for (let index = 0; index < text.length; index += 1) {
    if (text[index] === "'") {
      const end = stringEnd(text, index);
      result += text.slice(index, end + 1);
      index = end;
    } else if (text.startsWith('//', index)) {
      const end = text.indexOf('\n', index);
      const stop = end === -1 ? text.length : end;
      result += ' '.repeat(stop - index);
      index = stop - 1;
    } else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      const stop = end === -1 ? text.length : end + 2;
      result += text.slice(index, stop).replace(/[^\n]/g, ' ');
      index = stop - 1;
    } else {
      result += text[index];
    }
  }
  return result;
}
