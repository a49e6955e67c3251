import { setTimeout as sleep } from 'node:timers/promises';
import { type RequestStatusView, terminalStatuses } from '../../src/request-status.js';
import { StatusEndpointError } from './status-client.js';

export interface FollowStatusOptions {
  requestId: string;
  timeoutInMs: number;
  /** U2M: return as soon as the request awaits a sign-in instead of waiting for the person. */
  stopAtSignIn: boolean;
  fetchStatus(requestId: string): Promise<RequestStatusView | undefined>;
  /** Called with the first answer and whenever status, reasons or delivery count change; undefined = not seen yet. */
  onChange(view: RequestStatusView | undefined): void;
  /** A network or 5xx fault after the endpoint answered once: waiting goes on. */
  onTransientError(error: StatusEndpointError): void;
  pollIntervalInMs?: { initial: number; max: number };
}

export interface FollowStatusResult {
  /** The last status seen; undefined if the provisioner never recorded one. */
  view: RequestStatusView | undefined;
  timedOut: boolean;
}

/**
 * Polls the status until it is terminal (or awaits a sign-in, with `stopAtSignIn`), or the timeout
 * passes. Polls fast at first and after every change, then backs off, so short requests finish
 * promptly without hammering the endpoint during long ones.
 */
export async function followStatus(options: FollowStatusOptions): Promise<FollowStatusResult> {
  const { initial, max } = options.pollIntervalInMs ?? { initial: 200, max: 5_000 };
  const deadline = Date.now() + options.timeoutInMs;
  let interval = initial;
  let answered = false;
  let lastSeen: string | undefined;
  let view: RequestStatusView | undefined;
  for (;;) {
    try {
      view = await options.fetchStatus(options.requestId);
      answered = true;
      const seen = view ? JSON.stringify([view.status, view.reasons, view.deliveryCount]) : 'not yet';
      if (seen !== lastSeen) {
        lastSeen = seen;
        interval = initial;
        options.onChange(view);
      }
    } catch (error) {
      // An endpoint that never answered is misconfigured, not flaky: say so at once.
      if (!(error instanceof StatusEndpointError && error.transient && answered)) throw error;
      options.onTransientError(error);
    }
    if (view && terminalStatuses.has(view.status)) return { view, timedOut: false };
    if (view?.status === 'awaiting_sign_in' && options.stopAtSignIn) return { view, timedOut: false };
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { view, timedOut: true };
    await sleep(Math.min(interval, remaining));
    interval = Math.min(Math.round(interval * 1.5), max);
  }
}
