import type { TriggerMetadata } from '@azure/functions';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';

/**
 * `context.triggerMetadata` for a Service Bus message, with the names the v4 model gives them (the host's
 * PascalCase binding data camel-cased by azure-functions-nodejs-library src/converters/toCamelCase.ts; list:
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger#message-metadata).
 * The library camel-cases nested keys too, so an application property `Origin` arrives as `origin`.
 * `deliveryCount` is 1 on the first delivery, as the host reports it: the AMQP header counts earlier failed
 * deliveries from 0, which is what @azure/service-bus exposes.
 */
export function serviceBusTriggerMetadata(message: ServiceBusReceivedMessage): TriggerMetadata {
  const metadata: TriggerMetadata = {
    messageId: message.messageId === undefined ? undefined : String(message.messageId),
    deliveryCount: (message.deliveryCount ?? 0) + 1,
    enqueuedTimeUtc: message.enqueuedTimeUtc?.toISOString(),
    expiresAtUtc: message.expiresAtUtc?.toISOString(),
    sequenceNumber: message.sequenceNumber?.toNumber(),
    lockToken: message.lockToken,
    contentType: message.contentType,
    correlationId: message.correlationId === undefined ? undefined : String(message.correlationId),
    label: message.subject,
    subject: message.subject,
    replyTo: message.replyTo,
    to: message.to,
    sessionId: message.sessionId,
    applicationProperties: { ...(message.applicationProperties ?? {}) },
    // v3-era name for the same properties, still in the host's binding data.
    userProperties: { ...(message.applicationProperties ?? {}) },
  };
  return camelCaseKeys(
    Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== undefined)),
  ) as TriggerMetadata;
}

/** Same rule as the library's `toCamelCaseValue`: lower-case the first letter of every key, recursively. */
function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (typeof value !== 'object' || value === null || value instanceof Date || Buffer.isBuffer(value))
    return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key.charAt(0).toLowerCase() + key.slice(1),
      camelCaseKeys(inner),
    ]),
  );
}
