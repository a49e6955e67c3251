import { malformedRequest } from './errors.js';

/**
 * Typed reads of a JSON request body. A value of the wrong JSON type is a malformed request (the server parses bodies
 * into typed messages, SDK `service/catalog/model.go`); the wording is [inferred].
 */
export type JsonObject = Record<string, unknown>;

export function asObject(body: unknown): JsonObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw malformedRequest('Invalid JSON given in the body of the request - expected a map');
  }
  return body as JsonObject;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw malformedRequest(`Expected a string for field '${key}'`);
  return value;
}

/** `map<string,string>` fields such as `options` and `properties`; `null` counts as absent (Go SDK sends it). */
export function optionalStringMap(body: JsonObject, key: string): Record<string, string> | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  const map = asObject(value);
  for (const [entryKey, entry] of Object.entries(map)) {
    if (typeof entry !== 'string') throw malformedRequest(`Expected a string value for '${key}.${entryKey}'`);
  }
  return map as Record<string, string>;
}

export function optionalStringArray(body: JsonObject, key: string): string[] {
  const value = body[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) {
    throw malformedRequest(`Expected an array of strings for field '${key}'`);
  }
  return value as string[];
}
