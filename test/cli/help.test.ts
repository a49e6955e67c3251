import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('ucprov help and usage errors', () => {
  it.each(
    [
      [['--help'], 'ucprov: send Unity Catalog connection requests'],
      [['submit', '--help'], 'Usage: ucprov submit <file|-> [options]'],
      [['help', 'submit'], 'Usage: ucprov submit <file|-> [options]'],
      [['status', '-h'], 'Usage: ucprov status <request-id> [options]'],
      [['dlq', '--help'], 'ucprov dlq list'],
      [['dlq', 'list', '--help'], 'Usage: ucprov dlq list [options]'],
      [['dlq', 'replay', '--help'], 'Usage: ucprov dlq replay <message-id> | --all [options]'],
    ].map(([args, expected]) => ({
      command: (args as string[]).join(' '),
      args: args as string[],
      expected,
    })),
  )('prints help for `ucprov $command` on stdout and exits 0', async ({ args, expected }) => {
    const run = await runCli(args);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(expected);
    expect(run.stderr).toBe('');
  });

  it('documents every exit code in the main help', async () => {
    const { stdout } = await runCli(['--help']);

    for (const code of ['0', '2', '3', '4', '10', '11', '12', '13']) {
      expect(stdout).toMatch(new RegExp(`^ {2}${code} +\\S`, 'm'));
    }
  });

  it('shows the help on stderr and exits 2 when run without a command', async () => {
    const run = await runCli([]);

    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage:');
  });

  it('names an unknown command and lists the real ones (exit code 2)', async () => {
    const run = await runCli(['sumbit', 'request.json']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(
      /^ucprov: Unknown command 'sumbit'\. Commands: submit, status, dlq(, [a-z]+)*\. Run 'ucprov --help'\.\n$/,
    );
  });

  it('names an unknown option and the command whose help lists the valid ones (exit code 2)', async () => {
    const run = await runCli(['status', 'req-1', '--wait']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("Unknown option '--wait'");
    expect(run.stderr).toContain("Run 'ucprov status --help' for the options it takes.");
  });

  it('reports usage errors as JSON on stdout too when --json is given', async () => {
    const run = await runCli(['status', '--json']);

    expect(run.exitCode).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        exitCode: 2,
        message: "status takes one argument, the request id: 'ucprov status <request-id>'.",
      },
    });
  });

  it('says that --timeout needs --wait instead of ignoring it', async () => {
    const run = await runCli(['submit', 'request.json', '--timeout', '5']);

    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--timeout and --stop-at-sign-in only apply with --wait.');
  });
});
