import type { RequestStatus } from '../src/request-status.js';

/**
 * Every exit code `ucprov` uses. Pipelines branch on these, so they are stable and documented in
 * `ucprov --help` and cli/README.md. 1 is left to Node itself (an unexpected crash).
 */
export const exitCodes = {
  /** The command did what it was asked; for `submit --wait`, the request succeeded. */
  ok: 0,
  /** Unknown command or option, missing argument, unreadable request file. */
  usage: 2,
  /** No Service Bus or status endpoint configured, unreachable, or credentials refused. */
  connection: 3,
  /** `status` of an unknown request id; `dlq replay` of a message id not in the dead-letter queue. */
  notFound: 4,
  /** The request must change: local validation or the provisioner rejected it. */
  rejected: 10,
  /** The request ended `failed`, `dead_lettered` or `superseded`. */
  failed: 11,
  /** `--wait` gave up after `--timeout` seconds before a terminal status. */
  timedOut: 12,
  /** U2M: `--wait` stopped while the approver still has to sign in. */
  awaitingSignIn: 13,
} as const;

export type ExitCode = (typeof exitCodes)[keyof typeof exitCodes];

/** The exit code of `submit --wait` for the status it stopped on. */
export function exitCodeForStatus(status: RequestStatus): ExitCode {
  switch (status) {
    case 'succeeded':
      return exitCodes.ok;
    case 'rejected':
      return exitCodes.rejected;
    case 'failed':
    case 'dead_lettered':
    case 'superseded':
      return exitCodes.failed;
    case 'awaiting_sign_in':
      return exitCodes.awaitingSignIn;
    case 'accepted':
    case 'in_progress':
      return exitCodes.timedOut;
  }
}

/** The exit-code table as `--help` prints it. */
export const exitCodeHelp = `Exit codes:
  0   success (submit --wait: the request succeeded)
  2   usage: unknown command or option, missing argument, unreadable file
  3   connection: Service Bus or status endpoint not configured, unreachable, or credentials refused
  4   not found: unknown request id (status), message id not in the dead-letter queue (dlq replay)
  10  rejected: the request must change (local validation or the provisioner)
  11  failed, dead-lettered or superseded
  12  timed out (--wait ran out of --timeout before a terminal status)
  13  awaiting sign-in (U2M: the approver has not signed in yet)`;
