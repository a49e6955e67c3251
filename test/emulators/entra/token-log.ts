import type { IncomingMessage } from 'node:http';
import type { EntraFailure } from './entra-errors.js';
import type { TokenRequestRecord } from './types.js';

/** Every token-endpoint call and its outcome, for tests; never a secret, code or token. */
export class TokenLog {
  readonly #records: TokenRequestRecord[] = [];
  /** Failures oidc-provider reported for a request the front door forwarded. */
  readonly #failures = new WeakMap<IncomingMessage, EntraFailure>();

  noteFailure = (req: IncomingMessage, failure: EntraFailure): void => {
    this.#failures.set(req, failure);
  };

  failureOf(req: IncomingMessage): EntraFailure | undefined {
    return this.#failures.get(req);
  }

  record(
    request: Omit<TokenRequestRecord, 'status' | 'error' | 'errorCode'>,
    status: number,
    failure?: EntraFailure,
  ) {
    this.#records.push({
      ...request,
      status,
      ...(failure ? { error: failure.error, errorCode: failure.code } : {}),
    });
  }

  all(): TokenRequestRecord[] {
    return this.#records.map((record) => ({ ...record }));
  }
}
