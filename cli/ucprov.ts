#!/usr/bin/env node
import { CliError } from './cli-error.js';
import { cliSecrets } from './cli-secrets.js';
import { type ExitCode, exitCodes } from './exit-codes.js';
import { mainHelp } from './help.js';
import { type Output, processOutput } from './output.js';

type Command = (args: string[], output: Output) => Promise<ExitCode>;

// Commands load on demand, and they load the Azure SDKs on demand, so `--help` starts instantly.
const commands: Record<string, () => Promise<Command>> = {
  submit: async () => (await import('./commands/submit.js')).submit,
  status: async () => (await import('./commands/status.js')).status,
  dlq: async () => (await import('./commands/dlq.js')).dlq,
  rotations: async () => (await import('./commands/rotations.js')).rotations,
  rotate: async () => (await import('./commands/rotate.js')).rotate,
};

/** Runs one command line and returns the exit code; never throws. */
async function main(argv: string[], output: Output = processOutput): Promise<ExitCode | 1> {
  const safe = scrubbed(output);
  const [name, ...args] = argv;
  try {
    if (name === undefined) {
      safe.progress(mainHelp);
      return exitCodes.usage;
    }
    if (name === '--help' || name === '-h' || name === 'help') {
      const topic = args[0] && commands[args[0]];
      if (topic) return await (await topic())([...args.slice(1), '--help'], safe);
      safe.result(mainHelp);
      return exitCodes.ok;
    }
    const command = commands[name];
    if (!command) {
      throw CliError.usage(
        `Unknown command '${name}'. Commands: ${Object.keys(commands).join(', ')}. Run 'ucprov --help'.`,
      );
    }
    return await (await command())(args, safe);
  } catch (error) {
    if (error instanceof CliError) {
      safe.progress(`ucprov: ${error.message}`);
      if (argv.includes('--json')) safe.json({ error: { exitCode: error.exitCode, message: error.message } });
      return error.exitCode;
    }
    safe.progress(
      `ucprov: unexpected error, please report it: ${error instanceof Error ? error.stack : String(error)}`,
    );
    return 1;
  }
}

function scrubbed(output: Output): Output {
  return {
    result: (line) => output.result(cliSecrets.scrub(line)),
    progress: (line) => output.progress(cliSecrets.scrub(line)),
    json: (value) => output.json(JSON.parse(cliSecrets.scrub(JSON.stringify(value)))),
  };
}

process.exitCode = await main(process.argv.slice(2));
// The Azure SDKs can leave timers behind after close(); don't let them hold the exit.
setTimeout(() => process.exit(), 2_000).unref();
