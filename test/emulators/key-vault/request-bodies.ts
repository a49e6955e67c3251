import { badParameter } from './errors.js';
import type { SecretInput, SecretPropertiesPatch } from './secret-store.js';

/**
 * Limits from https://learn.microsoft.com/azure/key-vault/secrets/about-secrets (value ≤ 25 KB, contentType
 * ≤ 255 characters) and https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates
 * (≤ 15 tags, names ≤ 512 and values ≤ 256 characters). The error texts are [inferred]; the code is BadParameter.
 */
const maxValueBytes = 25 * 1024;
const maxContentTypeLength = 255;
const maxTags = 15;

/** `PUT /secrets/{name}` body: `{value, contentType?, tags?, attributes?:{enabled, nbf, exp}}`. */
export function parseSetSecretBody(body: unknown): SecretInput {
  const record = asRecord(body, 'request body');
  if (typeof record.value !== 'string')
    throw badParameter('Property value is required and must be a string.');
  if (Buffer.byteLength(record.value) > maxValueBytes) {
    throw badParameter(`Property value exceeds the maximum size of ${maxValueBytes} bytes.`);
  }
  return { value: record.value, ...parseProperties(record) };
}

/** `PATCH /secrets/{name}/{version}` body: `{contentType?, tags?, attributes?}`; the value cannot change. */
export function parseUpdateSecretBody(body: unknown): SecretPropertiesPatch {
  return parseProperties(asRecord(body ?? {}, 'request body'));
}

function parseProperties(record: Record<string, unknown>): SecretPropertiesPatch {
  const attributes = record.attributes === undefined ? {} : asRecord(record.attributes, 'attributes');
  return {
    contentType: parseContentType(record.contentType),
    tags: record.tags === undefined ? undefined : parseTags(record.tags),
    enabled: optional<boolean>(
      attributes.enabled,
      'attributes.enabled',
      (value) => typeof value === 'boolean',
    ),
    nbf: optional<number>(attributes.nbf, 'attributes.nbf', Number.isInteger),
    exp: optional<number>(attributes.exp, 'attributes.exp', Number.isInteger),
  };
}

function parseContentType(value: unknown): string | undefined {
  const contentType = optional<string>(value, 'contentType', (candidate) => typeof candidate === 'string');
  if (contentType !== undefined && contentType.length > maxContentTypeLength) {
    throw badParameter(`Property contentType exceeds ${maxContentTypeLength} characters.`);
  }
  return contentType;
}

function parseTags(value: unknown): Record<string, string> {
  const tags = asRecord(value, 'tags');
  const entries = Object.entries(tags);
  if (entries.length > maxTags) throw badParameter(`At most ${maxTags} tags are allowed.`);
  for (const [name, tagValue] of entries) {
    if (typeof tagValue !== 'string' || name.length > 512 || tagValue.length > 256) {
      throw badParameter(
        `Tag '${name}' must be a string of at most 256 characters with a name of at most 512.`,
      );
    }
  }
  return tags as Record<string, string>;
}

function optional<T>(value: unknown, property: string, isValid: (value: unknown) => boolean): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isValid(value)) throw badParameter(`Property ${property} has an invalid value.`);
  return value as T;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badParameter(`The ${what} must be a JSON object.`);
  }
  return value as Record<string, unknown>;
}
