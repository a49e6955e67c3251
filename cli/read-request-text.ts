import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error.js';

/** Reads the request file, or all of stdin for `-`. A leading byte-order mark (Windows editors) is dropped. */
export async function readRequestText(path: string): Promise<string> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code;
    throw CliError.usage(
      `Cannot read the request file '${path}': ${why}. Pass the path of a JSON request, or - to read it from stdin.`,
    );
  }
  return text.replace(/^\uFEFF/, '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
