import type { z } from 'zod';
import type { Reason } from '../errors.js';
import { type ConnectionRequest, connectionRequestSchema } from './connection-request-schema.js';
import { findSecretValues } from './find-secret-values.js';

export type ValidationResult =
  | { ok: true; request: ConnectionRequest & { requestId: string } }
  | { ok: false; reasons: Reason[]; requestId: string; redactedBody: unknown };

/**
 * Turns a queue message body into a typed request, or into every reason it is not one. Secret values
 * are looked for first and never survive into `redactedBody`, which is what gets stored.
 */
export function validateRequest(body: unknown, fallbackRequestId: string): ValidationResult {
  const parsed = parseBody(body);
  if (!parsed.ok)
    return { ok: false, reasons: [parsed.reason], requestId: fallbackRequestId, redactedBody: null };

  const secrets = findSecretValues(parsed.value);
  const requestId = readRequestId(secrets.redacted) ?? fallbackRequestId;
  const result = connectionRequestSchema.safeParse(secrets.redacted);
  const reasons = [
    ...secrets.reasons,
    ...(result.success ? [] : result.error.issues.map(toReason)).filter(
      (reason) => !secrets.reasons.some((secret) => secret.path === reason.path),
    ),
  ];
  if (reasons.length > 0 || !result.success) {
    return { ok: false, reasons, requestId, redactedBody: secrets.redacted };
  }
  return { ok: true, request: { ...result.data, requestId: result.data.requestId ?? fallbackRequestId } };
}

function parseBody(body: unknown): { ok: true; value: unknown } | { ok: false; reason: Reason } {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (typeof text !== 'string') return { ok: true, value: text };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      reason: { code: 'INVALID_REQUEST', message: 'The message body is not valid JSON; send a JSON object.' },
    };
  }
}

function readRequestId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as { requestId?: unknown }).requestId;
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id) ? id : undefined;
}

/** Names Databricks would refuse get their own code, so pipelines can tell naming rules from typos. */
const unityCatalogNamePaths = new Set(['connection.name', 'foreignCatalog.name']);

function toReason(issue: z.core.$ZodIssue): Reason {
  const path = issue.path.map(String).join('.');
  const where = path || '(request)';
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((key) => (path ? `${path}.${key}` : key));
    return {
      code: 'INVALID_REQUEST',
      path: fields[0] ?? path,
      message: `${fields.join(', ')}: unknown field${fields.length > 1 ? 's' : ''}; remove ${fields.length > 1 ? 'them' : 'it'} (see schema/connection-request.schema.json).`,
    };
  }
  const detail = issue.message.replace(/^Invalid input: /, '');
  if (issue.code === 'invalid_type' && detail.endsWith('received undefined')) {
    return {
      code: 'INVALID_REQUEST',
      path,
      message: `${where}: missing; ${detail.replace(/, received undefined$/, '')}.`,
    };
  }
  const code = unityCatalogNamePaths.has(path) ? 'INVALID_NAME' : 'INVALID_REQUEST';
  return { code, path, message: `${where}: ${detail}.` };
}
