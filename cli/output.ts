/**
 * Where the CLI writes. stdout carries results (the request id, a status, `--json` documents) so
 * scripts can capture them; stderr carries progress and errors for the person or the pipeline log.
 */
export interface Output {
  result(line: string): void;
  progress(line: string): void;
  json(value: unknown): void;
}

export const processOutput: Output = {
  result: (line) => void process.stdout.write(`${line}\n`),
  progress: (line) => void process.stderr.write(`${line}\n`),
  json: (value) => void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
};
