/** What the provisioner needs from a Service Bus delivery, independent of the host that received it. */
export interface QueueMessage {
  body: unknown;
  messageId: string;
  /** 1 on the first delivery, as the Functions Service Bus trigger reports it. */
  deliveryCount: number;
  /** When the message was enqueued; orders requests for the same connection. */
  enqueuedTimeUtc: Date;
  sequenceNumber?: number;
}
