import { randomUUID } from 'node:crypto';
import type { Reason } from '../../src/errors.js';
import { validateRequest } from '../../src/request/validate-request.js';

export type PreparedRequest =
  | {
      ok: true;
      requestId: string;
      /** The body to send: as written, plus the `requestId` when the file had none. */
      body: Record<string, unknown>;
      assignedRequestId: boolean;
    }
  | { ok: false; reasons: Reason[] };

/**
 * Validates the request with the provisioner's own code (src/request/validate-request.ts), so a bad
 * request fails here with the same reasons instead of a round trip through the queue. A request
 * without an id gets one, written into the body: a replay from the dead-letter queue then keeps it.
 */
export function prepareRequest(text: string, newRequestId: () => string = randomUUID): PreparedRequest {
  const assigned = newRequestId();
  const validation = validateRequest(text, assigned);
  if (!validation.ok) return { ok: false, reasons: validation.reasons };
  const body = JSON.parse(text) as Record<string, unknown>;
  const requestId = validation.request.requestId;
  const assignedRequestId = body.requestId === undefined;
  return { ok: true, requestId, body: assignedRequestId ? { requestId, ...body } : body, assignedRequestId };
}
