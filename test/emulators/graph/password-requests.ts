import { badRequest, GraphError } from './errors.js';

export interface AddPasswordInput {
  displayName?: string;
  startDateTime?: string;
  endDateTime?: string;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * addPassword's body is optional: `{"passwordCredential":{"displayName","startDateTime","endDateTime"}}`
 * (application-addpassword.md). Defaults (now, +2 years) are applied by the directory.
 */
export function parseAddPasswordBody(body: unknown): AddPasswordInput {
  if (body === undefined) return {};
  const credential = asRecord(asRecord(body).passwordCredential ?? {});
  const input: AddPasswordInput = {
    displayName: optionalString(credential.displayName, 'displayName'),
    startDateTime: optionalDate(credential.startDateTime, 'startDateTime'),
    endDateTime: optionalDate(credential.endDateTime, 'endDateTime'),
  };
  const start = input.startDateTime ? Date.parse(input.startDateTime) : Date.now();
  if (input.endDateTime && Date.parse(input.endDateTime) <= start) {
    throw badRequest('endDateTime must be later than startDateTime.');
  }
  return input;
}

/** removePassword's body: `{"keyId":"<guid>"}`, required (application-removepassword.md). */
export function parseRemovePasswordBody(body: unknown): string {
  const keyId = asRecord(body ?? {}).keyId;
  if (typeof keyId !== 'string' || !guidPattern.test(keyId)) {
    throw badRequest("Property 'keyId' is required and must be a GUID.");
  }
  return keyId;
}

/**
 * Graph's answer to removePassword with a keyId the application does not have is not documented and was not
 * found in public reports; the stand-in answers this configurable error, 400 by default (never a silent 204).
 */
export interface UnknownKeyIdError {
  status: number;
  code: string;
  message: string;
}

export const defaultUnknownKeyIdError: UnknownKeyIdError = {
  status: 400,
  code: 'Request_BadRequest',
  message: 'No password credential found with the given keyId.',
};

export function unknownKeyId(error: UnknownKeyIdError): GraphError {
  return new GraphError(error.status, error.code, error.message);
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function optionalString(value: unknown, property: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`Property '${property}' must be a string.`);
  return value;
}

function optionalDate(value: unknown, property: string): string | undefined {
  const text = optionalString(value, property);
  if (text !== undefined && Number.isNaN(Date.parse(text))) {
    throw badRequest(`Property '${property}' must be an ISO 8601 date-time.`);
  }
  return text;
}
