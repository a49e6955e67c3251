import { CliError } from '../cli-error.js';
import { withServiceBus } from '../connection/open-service-bus.js';
import { resolveServiceBusTarget } from '../connection/service-bus-target.js';
import { type ExitCode, exitCodes } from '../exit-codes.js';
import { dlqHelp, dlqListHelp, dlqReplayHelp } from '../help.js';
import type { Output } from '../output.js';
import {
  commonOptions,
  parseCommandArgs,
  positiveNumberOption,
  serviceBusOptions,
} from '../parse-command-args.js';

/** `ucprov dlq list | replay`. */
export async function dlq(args: string[], output: Output): Promise<ExitCode> {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'list':
      return list(rest, output);
    case 'replay':
      return replay(rest, output);
    case undefined:
      output.progress(dlqHelp);
      return exitCodes.usage;
    case '--help':
    case '-h':
    case 'help':
      output.result(dlqHelp);
      return exitCodes.ok;
    default:
      throw CliError.usage(
        `Unknown dlq command '${subcommand}': use 'ucprov dlq list' or 'ucprov dlq replay'.`,
      );
  }
}

async function list(args: string[], output: Output): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('dlq list', args, {
    ...commonOptions,
    ...serviceBusOptions,
    max: { type: 'string' },
  });
  if (values.help) {
    output.result(dlqListHelp);
    return exitCodes.ok;
  }
  if (positionals.length > 0) throw CliError.usage("dlq list takes no arguments: 'ucprov dlq list'.");
  const max = Math.floor(positiveNumberOption('max', values.max, 1000));
  const target = resolveServiceBusTarget(values);
  const { deadLetterReceiver, peekDeadLetters } = await import('../dlq/peek-dead-letters.js');
  const { toDeadLetterEntry } = await import('../dlq/dead-letter-entry.js');
  const entries = await withServiceBus(target, 'receive', async (client) => {
    const receiver = deadLetterReceiver(client, target.queue);
    try {
      return (await peekDeadLetters(receiver, max)).map(toDeadLetterEntry);
    } finally {
      await receiver.close();
    }
  });
  if (values.json) {
    output.json(entries);
    return exitCodes.ok;
  }
  if (entries.length === 0) {
    output.progress(`ucprov: the dead-letter queue of '${target.queue}' on ${target.host} is empty.`);
    return exitCodes.ok;
  }
  const { formatTable } = await import('../format-table.js');
  const rows = entries.map((entry) => [
    entry.messageId,
    entry.requestId,
    entry.enqueuedTimeUtc ?? '',
    String(entry.deliveryCount ?? ''),
    entry.deadLetterReason ?? '',
    entry.deadLetterErrorDescription ?? '',
  ]);
  for (const line of formatTable(
    ['MESSAGE ID', 'REQUEST ID', 'ENQUEUED (UTC)', 'DELIVERIES', 'REASON', 'DESCRIPTION'],
    rows,
  )) {
    output.result(line);
  }
  output.progress(
    `ucprov: ${entries.length} dead-lettered message${entries.length === 1 ? '' : 's'}; 'ucprov status <request id>' shows why, 'ucprov dlq replay <message id>' sends one again.`,
  );
  return exitCodes.ok;
}

async function replay(args: string[], output: Output): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('dlq replay', args, {
    ...commonOptions,
    ...serviceBusOptions,
    all: { type: 'boolean' },
  });
  if (values.help) {
    output.result(dlqReplayHelp);
    return exitCodes.ok;
  }
  const [messageId, ...extra] = positionals;
  if (extra.length > 0 || (messageId === undefined) === !values.all) {
    throw CliError.usage(
      "dlq replay takes one message id or --all: 'ucprov dlq replay <message-id>' ('ucprov dlq list' shows them).",
    );
  }
  const target = resolveServiceBusTarget(values);
  const { replayDeadLetters } = await import('../dlq/replay-dead-letters.js');
  const { messageIdOf } = await import('../dlq/dead-letter-entry.js');
  const result = await withServiceBus(target, 'receive', (client) =>
    replayDeadLetters(client, {
      queue: target.queue,
      select: (message) => values.all === true || messageIdOf(message) === messageId,
      onReplayed(entry) {
        if (!values.json) {
          output.result(`replayed ${entry.messageId} as ${entry.replayedAs} (request ${entry.requestId})`);
        }
      },
      onNotRemoved(entry, error) {
        output.progress(
          `ucprov: replayed ${entry.messageId} as ${entry.replayedAs} but could not remove it from the dead-letter queue (${error instanceof Error ? error.message : String(error)}); replaying it again later is harmless.`,
        );
      },
    }),
  );
  if (messageId !== undefined && result.replayed.length === 0) {
    throw CliError.notFound(
      `No message '${messageId}' in the dead-letter queue of '${target.queue}' on ${target.host}; 'ucprov dlq list' shows what is there.`,
    );
  }
  if (values.json) output.json(result.replayed);
  if (result.replayed.length < result.selected) {
    output.progress(
      `ucprov: ${result.selected - result.replayed.length} selected message(s) left the dead-letter queue before they could be replayed (another receiver took them).`,
    );
  }
  if (values.all && result.selected === 0) {
    output.progress(
      `ucprov: the dead-letter queue of '${target.queue}' on ${target.host} is empty; nothing to replay.`,
    );
  } else {
    output.progress(
      `ucprov: ${result.replayed.length} message(s) sent again to '${target.queue}'; follow them with 'ucprov status <request id>'.`,
    );
  }
  return exitCodes.ok;
}
