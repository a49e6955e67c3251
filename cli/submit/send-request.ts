import { withServiceBus } from '../connection/open-service-bus.js';
import type { ServiceBusTarget } from '../connection/service-bus-target.js';

/**
 * Sends the request with `messageId` = request id: Service Bus duplicate detection then drops an
 * accidental re-send inside its window, and the provisioner keys idempotency on the same id
 * (https://learn.microsoft.com/azure/service-bus-messaging/duplicate-detection).
 */
export function sendRequest(
  target: ServiceBusTarget,
  request: { requestId: string; body: Record<string, unknown> },
): Promise<void> {
  return withServiceBus(target, 'send', async (client) => {
    const sender = client.createSender(target.queue);
    await sender.sendMessages({
      body: request.body,
      messageId: request.requestId,
      contentType: 'application/json',
    });
  });
}
