import type { Message } from 'rhea';
import { type SharedAccessRule, uriCovers, verifySasToken } from './sas.js';

// Claims-based security: the `$cbs` node answering put-token. Request/response shape from
// https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-protocol-guide#claims-based-authorization
// and node_modules/@azure/core-amqp/dist/esm/cbs.js (`negotiateClaim`, `_fromRheaMessageResponse`).

/** Audiences a connection holds tokens for, with their expiry (ms). */
export type Claims = Map<string, number>;

export interface CbsReply {
  statusCode: number;
  statusDescription: string;
}

export interface PutTokenContext {
  /** `sb://127.0.0.1:PORT/`: the namespace this broker serves. */
  namespaceUri: string;
  rule: SharedAccessRule;
  /** Whether the entity an audience names exists. */
  entityExists(entityPath: string): boolean;
}

/**
 * Verifies the SAS token and records the claim. Service Bus answers an unknown entity at put-token time with
 * 404 "The messaging entity '…' could not be found." (Azure/azure-service-bus#451), which core-amqp translates to
 * MessagingEntityNotFoundError (errors.js `translate`).
 */
export function putToken(request: Message, context: PutTokenContext, claims: Claims): CbsReply {
  const properties = (request.application_properties ?? {}) as Record<string, unknown>;
  if (properties.operation !== 'put-token') {
    return {
      statusCode: 400,
      statusDescription: `Unsupported $cbs operation '${String(properties.operation)}'.`,
    };
  }
  if (properties.type !== 'servicebus.windows.net:sastoken') {
    // Entra ID tokens (type "jwt") are not verified by this stand-in; refusing them keeps it strict.
    return {
      statusCode: 401,
      statusDescription: `Token type '${String(properties.type)}' is not supported here.`,
    };
  }
  const audience = String(properties.name ?? '');
  if (!uriCovers(context.namespaceUri, audience)) {
    return { statusCode: 401, statusDescription: 'InvalidAudience: The token has an invalid audience.' };
  }
  const verdict = verifySasToken(request.body, audience, context.rule);
  if (!verdict.ok) return { statusCode: 401, statusDescription: verdict.rejection.description };
  const entityPath = audience.slice(context.namespaceUri.length).replace(/\/+$/, '');
  if (entityPath !== '' && !context.entityExists(entityPath)) {
    return {
      statusCode: 404,
      statusDescription: `The messaging entity '${audience}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`,
    };
  }
  claims.set(audience, verdict.expiresAtMs);
  // CBS answers 202 Accepted (AMQP CBS draft; the SDK accepts any 2xx, requestResponseLink.js).
  return { statusCode: 202, statusDescription: 'Accepted' };
}

/** A link to `entityUri` needs a live claim whose audience covers it, or the attach is refused. */
export function isAuthorized(claims: Claims, entityUri: string, now = Date.now()): boolean {
  for (const [audience, expiresAtMs] of claims) {
    if (expiresAtMs > now && uriCovers(audience, entityUri)) return true;
  }
  return false;
}
