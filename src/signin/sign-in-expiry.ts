import type { Logger } from '../logger.js';
import { transactionLifetimeInSeconds } from './cookies.js';
import type { SignInDependencies } from './sign-in-dependencies.js';
import type { ExpiredSignInRow } from './sign-in-store.js';

/** An expired link is kept this long, so a late click still says "expired" rather than "unknown". */
const expiredLinkRetentionInMs = 7 * 24 * 3_600_000;

export interface SignInExpirySummary {
  /** Requests that were awaiting a sign-in that can no longer happen, now `failed` with SIGN_IN_EXPIRED. */
  requestsFailed: number;
  rowsDeleted: number;
}

/**
 * Ends the sign-ins that can no longer finish, so a pipeline waiting on the request learns it: a link that
 * expired unused, or a sign-in started from it that was abandoned at Entra (its transaction expired). Deletes
 * expired transactions at once (the PKCE verifier must not outlive its sign-in, R8) and expired links after
 * a week. Runs from a timer; one run at a time, and every write is conditional, so a lost race is skipped.
 */
export class SignInExpiry {
  readonly #deps: Pick<SignInDependencies, 'store' | 'statuses' | 'now'>;

  constructor(deps: Pick<SignInDependencies, 'store' | 'statuses' | 'now'>) {
    this.#deps = deps;
  }

  async run(logger: Logger): Promise<SignInExpirySummary> {
    const { store, now } = this.#deps;
    const at = now();
    const summary: SignInExpirySummary = { requestsFailed: 0, rowsDeleted: 0 };
    for (const row of await store.listExpired(new Date(at))) {
      if (row.kind === 'transaction') {
        if (!(await store.deleteExpired(row))) continue;
        summary.rowsDeleted++;
        if (await this.#failRequest(row, logger)) summary.requestsFailed++;
      } else {
        const unused = !row.consumed && !row.expiryRecorded;
        if (unused && (await this.#failRequest(row, logger))) summary.requestsFailed++;
        if (row.expiresAt.getTime() <= at - expiredLinkRetentionInMs) {
          if (await store.deleteExpired(row)) summary.rowsDeleted++;
        } else if (unused) {
          await store.markExpiryRecorded(row.hash, row.etag, new Date(at));
        }
      }
    }
    if (summary.requestsFailed > 0 || summary.rowsDeleted > 0)
      logger.info('signin.expiry_swept', { ...summary });
    return summary;
  }

  /**
   * Fails the row's request if it still awaits a sign-in through this very link: an older link of the same
   * request that was never emailed, or one replaced by a newer request, leaves the status alone.
   */
  async #failRequest(row: ExpiredSignInRow, logger: Logger): Promise<boolean> {
    const { store, statuses } = this.#deps;
    const status = await statuses.get(row.requestId);
    if (status?.status !== 'awaiting_sign_in' || !status.workspace || !status.connectionName) return false;
    const current = await store.currentLink(status.workspace, status.connectionName);
    if (current?.linkHash !== row.linkHash || current.requestId !== row.requestId) return false;
    const newLink =
      'Submit the request again (ucprov submit) for a new link, or send a "reauthorize" request for an existing connection.';
    const message =
      row.kind === 'link'
        ? `The sign-in link expired at ${row.expiresAt.toISOString()} without being used. ${newLink}`
        : `The approver started signing in but did not finish within ${transactionLifetimeInSeconds / 60} minutes (by ${row.expiresAt.toISOString()}). ${newLink}`;
    await statuses.record(row.requestId, {
      status: 'failed',
      reasons: [{ code: 'SIGN_IN_EXPIRED', message }],
    });
    logger.info('signin.expired', { requestId: row.requestId, after: row.kind });
    return true;
  }
}
