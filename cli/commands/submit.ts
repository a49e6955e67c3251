import type { Reason } from '../../src/errors.js';
import type { RequestStatusView } from '../../src/request-status.js';
import { CliError } from '../cli-error.js';
import { resolveServiceBusTarget } from '../connection/service-bus-target.js';
import { resolveStatusEndpoint } from '../connection/status-endpoint.js';
import { type ExitCode, exitCodeForStatus, exitCodes } from '../exit-codes.js';
import { submitHelp } from '../help.js';
import type { Output } from '../output.js';
import {
  commonOptions,
  parseCommandArgs,
  positiveNumberOption,
  serviceBusOptions,
  statusEndpointOptions,
} from '../parse-command-args.js';
import { readRequestText } from '../read-request-text.js';
import type { FollowStatusResult } from '../status/follow-status.js';
import { formatReason } from '../status/format-status.js';
import { followWithProgress } from '../submit/follow-with-progress.js';

const defaultTimeoutInSeconds = 600;

/** What `submit --json` prints. `outcome`: the final status, `accepted` without --wait, `timed_out`, or `error`. */
interface SubmitResult {
  requestId: string | null;
  sent: boolean;
  outcome: string;
  exitCode: ExitCode;
  reasons: Reason[];
  status?: RequestStatusView;
  /** Set when the request was sent but following its status failed. */
  error?: { exitCode: ExitCode; message: string };
}

/** `ucprov submit <file|->`: validate locally, send, and with --wait follow the status to its end. */
export async function submit(args: string[], output: Output): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('submit', args, {
    ...commonOptions,
    ...serviceBusOptions,
    ...statusEndpointOptions,
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    'stop-at-sign-in': { type: 'boolean' },
  });
  if (values.help) {
    output.result(submitHelp);
    return exitCodes.ok;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    throw CliError.usage(
      "submit takes one argument, the request file (or - for stdin): 'ucprov submit request.json'.",
    );
  }
  if (!values.wait && (values.timeout !== undefined || values['stop-at-sign-in'])) {
    throw CliError.usage('--timeout and --stop-at-sign-in only apply with --wait.');
  }
  const timeoutInMs = positiveNumberOption('timeout', values.timeout, defaultTimeoutInSeconds) * 1000;
  const { prepareRequest } = await import('../submit/prepare-request.js');
  const prepared = prepareRequest(await readRequestText(file));
  if (!prepared.ok) {
    const result: SubmitResult = {
      requestId: null,
      sent: false,
      outcome: 'rejected',
      exitCode: exitCodes.rejected,
      reasons: prepared.reasons,
    };
    if (values.json) output.json(result);
    const count = prepared.reasons.length;
    output.progress(
      `ucprov: ${file === '-' ? 'the request from stdin' : file} is not a valid request (${count} reason${count === 1 ? '' : 's'}); nothing was sent.`,
    );
    for (const reason of prepared.reasons) output.progress(`  ${formatReason(reason)}`);
    return exitCodes.rejected;
  }

  // Resolve every endpoint before sending, so a missing setting never leaves a request sent but unfollowed.
  const target = resolveServiceBusTarget(values);
  const statusEndpoint = values.wait ? resolveStatusEndpoint(values) : undefined;
  const { sendRequest } = await import('../submit/send-request.js');
  await sendRequest(target, prepared);
  const { requestId } = prepared;
  if (!values.json) output.result(requestId);
  output.progress(
    `ucprov: sent request ${requestId}${prepared.assignedRequestId ? ' (id assigned)' : ''} to queue '${target.queue}' on ${target.host} (from ${target.source}).`,
  );
  if (!statusEndpoint) {
    if (values.json) {
      output.json({
        requestId,
        sent: true,
        outcome: 'accepted',
        exitCode: exitCodes.ok,
        reasons: [],
      } satisfies SubmitResult);
    }
    return exitCodes.ok;
  }

  let followed: FollowStatusResult;
  try {
    followed = await followWithProgress(
      statusEndpoint,
      { requestId, timeoutInMs, stopAtSignIn: values['stop-at-sign-in'] ?? false },
      output,
    );
  } catch (error) {
    // The request is in the queue: the result must still carry its id, so a script can follow it later.
    if (!(error instanceof CliError)) throw error;
    output.progress(`ucprov: request ${requestId} was sent, but following it failed: ${error.message}`);
    if (values.json) {
      output.json({
        requestId,
        sent: true,
        outcome: 'error',
        exitCode: error.exitCode,
        reasons: [],
        error: { exitCode: error.exitCode, message: error.message },
      } satisfies SubmitResult);
    }
    return error.exitCode;
  }
  const { view, timedOut } = followed;

  // Not final after the timeout: still queued or in progress is a timeout; awaiting a sign-in has its own code.
  const exitCode = view ? exitCodeForStatus(view.status) : exitCodes.timedOut;
  if (timedOut) {
    output.progress(
      view
        ? `ucprov: stopped waiting after ${timeoutInMs / 1000} s; the request is still ${view.status}. Follow it with 'ucprov status ${requestId}'.`
        : `ucprov: stopped waiting after ${timeoutInMs / 1000} s; the provisioner has not picked the request up. Is the function app running and listening on queue '${target.queue}'?`,
    );
  }
  if (values.json) {
    output.json({
      requestId,
      sent: true,
      outcome: exitCode === exitCodes.timedOut ? 'timed_out' : (view?.status ?? 'accepted'),
      exitCode,
      reasons: view?.reasons ?? [],
      ...(view ? { status: view } : {}),
    } satisfies SubmitResult);
  }
  return exitCode;
}
