import type { RequestStatusView } from '../../src/request-status.js';
import { terminalStatuses } from '../../src/request-status.js';

/** Reads statuses through the public status endpoint, with the function key, like a pipeline does. */
export class StatusClient {
  readonly #baseUrl: string;
  readonly #key: string;

  constructor(baseUrl: string, functionKey: string) {
    this.#baseUrl = baseUrl;
    this.#key = functionKey;
  }

  async get(requestId: string): Promise<RequestStatusView | undefined> {
    const response = await fetch(`${this.#baseUrl}/api/requests/${encodeURIComponent(requestId)}`, {
      headers: { 'x-functions-key': this.#key },
    });
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (!response.ok) throw new Error(`GET status of ${requestId}: HTTP ${response.status}`);
    return (await response.json()) as RequestStatusView;
  }

  /** Polls every `intervalInMs` until the request reaches a terminal status. */
  async waitForTerminal(
    requestId: string,
    timeoutInMs: number,
    intervalInMs = 10,
  ): Promise<RequestStatusView> {
    const deadline = Date.now() + timeoutInMs;
    for (;;) {
      const view = await this.get(requestId);
      if (view && terminalStatuses.has(view.status)) return view;
      if (Date.now() > deadline) throw new Error(`${requestId} not finished after ${timeoutInMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, intervalInMs));
    }
  }

  /** Every status, `concurrency` requests at a time. */
  async getAll(requestIds: readonly string[], concurrency = 16): Promise<Map<string, RequestStatusView>> {
    const views = new Map<string, RequestStatusView>();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requestIds.length) {
          const id = requestIds[next++] as string;
          const view = await this.get(id);
          if (view) views.set(id, view);
        }
      }),
    );
    return views;
  }
}
