import type { z } from 'zod';
import type { Reason } from '../errors.js';
import { type ConnectionRequest, connectionRequestSchema } from './connection-request-schema.js';
import { findSecretValues } from './find-secret-values.js';
import { formatJsonPath } from './json-path.js';

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

  const value = parsed.value;
  const secrets = findSecretValues(value);
  if (!isPlainObject(value)) {
    return {
      ok: false,
      reasons: [...secrets.reasons, notAnObject(value)],
      requestId: fallbackRequestId,
      redactedBody: secrets.redacted,
    };
  }
  const requestId = readRequestId(secrets.redacted) ?? fallbackRequestId;
  const result = connectionRequestSchema.safeParse(secrets.redacted);
  const reasons = [
    ...secrets.reasons,
    ...(result.success ? [] : result.error.issues.flatMap((issue) => toReasons(issue, value))).filter(
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notAnObject(value: unknown): Reason {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return {
    code: 'INVALID_REQUEST',
    message: `The message body must be a JSON object (a connection request, see schema/connection-request.schema.json); got ${got}.`,
  };
}

function readRequestId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const id = (value as { requestId?: unknown }).requestId;
  return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id) ? id : undefined;
}

/** Names Databricks would refuse get their own code, so pipelines can tell naming rules from typos. */
const unityCatalogNamePaths = new Set(['connection.name', 'foreignCatalog.name']);

function toReasons(issue: z.core.$ZodIssue, body: Record<string, unknown>): Reason[] {
  const path = formatJsonPath(issue.path);
  const where = path || '(request)';
  if (issue.code === 'unrecognized_keys') {
    // One reason per field, so each carries its own path.
    return issue.keys.map((key) => {
      const field = formatJsonPath([...issue.path, key]);
      return {
        code: 'INVALID_REQUEST',
        path: field,
        message: `${field}: unknown field; remove it (see schema/connection-request.schema.json).`,
      };
    });
  }
  if (issue.code === 'invalid_union' && path === 'action' && body.action === undefined) {
    return [{ code: 'INVALID_REQUEST', path, message: `action: missing; ${issue.message}.` }];
  }
  const detail = issue.message.replace(/^(Invalid input|Invalid option|Too small|Too big): /, '');
  if (issue.code === 'invalid_type' && detail.endsWith('received undefined')) {
    return [
      {
        code: 'INVALID_REQUEST',
        path,
        message: `${where}: missing; ${detail.replace(/, received undefined$/, '')}.`,
      },
    ];
  }
  const code = unityCatalogNamePaths.has(path) ? 'INVALID_NAME' : 'INVALID_REQUEST';
  return [{ code, path, message: `${where}: ${detail}.` }];
}
