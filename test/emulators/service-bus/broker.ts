import type { AddressInfo, Server, Socket } from 'node:net';
import rhea, {
  type AmqpError,
  type Connection,
  type Delivery,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
} from 'rhea';
import { ensureMessageId, isScheduled, messagesOfTransfer, timeToLiveOf } from './amqp-message.js';
import { type Claims, isAuthorized, putToken } from './cbs.js';
import { Consumers } from './consumers.js';
import { handleManagementRequest } from './management.js';
import { Queue, type QueueOptions, type SubQueue } from './queue.js';
import { internals } from './rhea-internals.js';
import type { SharedAccessRule } from './sas.js';

// The AMQP 1.0 face of the stand-in, on rhea. What the SDK sends and expects comes from the
// @azure/service-bus and @azure/core-amqp files cited below.

/** Standard tier limit, announced on sender attach; without it the SDK cannot size batches (messageSender.js). */
export const maxMessageSizeInBytes = 256 * 1024;

/** Credit granted to each incoming link, topped up per message. */
const incomingCredit = 100;

type IncomingRole =
  | { kind: 'cbs' }
  | { kind: 'management'; subQueue: SubQueue<Message> }
  | { kind: 'entity'; queue: Queue<Message> };

export class Broker {
  private readonly queues = new Map<string, Queue<Message>>();
  private readonly container = rhea.create_container({
    id: 'service-bus-stand-in',
    // Otherwise rhea also dispatches `modified` (abandon) as `released`.
    treat_modified_as_released: false,
    // Credit and acceptance are managed explicitly below.
    credit_window: 0,
    autoaccept: false,
  });
  private readonly claims = new WeakMap<Connection, Claims>();
  private readonly roles = new WeakMap<Receiver, IncomingRole>();
  private readonly consumers = new Consumers();
  private readonly sockets = new Set<Socket>();
  private readonly connections = new Set<Connection>();
  private server: Server | undefined;
  private namespaceUri = '';

  constructor(private readonly rule: SharedAccessRule) {
    this.container.on('receiver_open', (context: EventContext) => this.onIncomingLink(context));
    this.container.on('sender_open', (context: EventContext) => this.onOutgoingLink(context));
    this.container.on('message', (context: EventContext) => this.onMessage(context));
    for (const event of ['sendable', 'sender_flow']) {
      this.container.on(event, ({ sender }: EventContext) => this.consumers.serve(sender));
    }
    this.container.on('sender_draining', ({ sender }: EventContext) => this.consumers.drain(sender));
    for (const outcome of ['accepted', 'modified', 'rejected', 'released'] as const) {
      this.container.on(outcome, ({ delivery }: EventContext) => this.consumers.settle(delivery, outcome));
    }
    this.container.on('connection_open', ({ connection }: EventContext) => this.connections.add(connection));
    for (const event of ['connection_close', 'disconnected']) {
      this.container.on(event, ({ connection }: EventContext) => this.connections.delete(connection));
    }
    // Link and connection errors from clients going away are expected; without listeners rhea would throw.
    for (const event of ['error', 'connection_error', 'protocol_error']) this.container.on(event, () => {});
  }

  async listen(port: number): Promise<number> {
    const server = this.container.listen({ host: '127.0.0.1', port });
    this.server = server;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    const bound = (server.address() as AddressInfo).port;
    this.namespaceUri = `sb://127.0.0.1:${bound}/`;
    return bound;
  }

  /**
   * Closes every AMQP connection (a clean `close`, so the SDK tears its links down at once instead of waiting out
   * its operation timeout), gives clients a moment to answer, then cuts whatever is left.
   */
  async close(): Promise<void> {
    for (const connection of this.connections) connection.close();
    const deadline = Date.now() + 250;
    while (this.sockets.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    for (const socket of this.sockets) socket.destroy();
    for (const queue of this.queues.values()) queue.dispose();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  createQueue(name: string, options?: QueueOptions): Queue<Message> {
    // Entity names are case-insensitive (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftservicebus).
    const key = name.toLowerCase();
    if (this.queues.has(key)) throw new Error(`Queue '${name}' already exists`);
    const queue = new Queue<Message>(name, options);
    this.queues.set(key, queue);
    for (const subQueue of [queue.active, queue.deadLetter]) this.consumers.feedFrom(subQueue);
    return queue;
  }

  queue(name: string): Queue<Message> | undefined {
    return this.queues.get(name.toLowerCase());
  }

  /** `<queue>`, `<queue>/$DeadLetterQueue`, either with `/$management`. */
  private resolve(address: string): { subQueue: SubQueue<Message>; management: boolean } | undefined {
    const parts = address.split('/');
    const management = parts.at(-1)?.toLowerCase() === '$management';
    if (management) parts.pop();
    const deadLetter = parts.at(-1)?.toLowerCase() === '$deadletterqueue';
    if (deadLetter) parts.pop();
    const queue = parts.length === 1 && parts[0] ? this.queue(parts[0]) : undefined;
    if (!queue) return undefined;
    return { subQueue: deadLetter ? queue.deadLetter : queue.active, management };
  }

  /**
   * Checks an entity link: the entity must exist (`amqp:not-found`, which core-amqp maps to MessagingEntityNotFound
   * from the description) and the connection must hold a put-token claim for it (Service Bus refuses links without
   * one: service-bus-amqp-protocol-guide.md, "Claims-based authorization").
   */
  private admit(link: Sender | Receiver, address: string) {
    const target = this.resolve(address);
    const entityUri = `${this.namespaceUri}${address}`;
    if (!target) {
      return this.refuse(link, {
        condition: 'amqp:not-found',
        description: `The messaging entity '${entityUri}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`,
      });
    }
    if (!isAuthorized(this.claimsOf(link.connection), entityUri)) {
      return this.refuse(link, {
        condition: 'amqp:unauthorized-access',
        description: `Unauthorized access to '${entityUri}'.`,
      });
    }
    return target;
  }

  private refuse(link: Sender | Receiver, error: AmqpError): undefined {
    link.close(error);
    return undefined;
  }

  /** A client sender: `$cbs` or `$management` requests, or messages for a queue. */
  private onIncomingLink({ receiver }: EventContext): void {
    if (!receiver) return;
    const address = String(receiver.target?.address ?? '');
    if (address === '$cbs') {
      this.roles.set(receiver, { kind: 'cbs' });
    } else {
      const target = this.admit(receiver, address);
      if (!target) return;
      if (target.management) {
        this.roles.set(receiver, { kind: 'management', subQueue: target.subQueue });
      } else if (target.subQueue.kind === 'deadLetter') {
        // "messages can only be submitted via the dead-letter operation" (service-bus-dead-letter-queues.md).
        this.refuse(receiver, { condition: 'amqp:not-allowed', description: `Cannot send to '${address}'.` });
        return;
      } else {
        this.roles.set(receiver, { kind: 'entity', queue: target.subQueue.queue });
        internals(receiver).local.attach.max_message_size = maxMessageSizeInBytes;
      }
    }
    receiver.set_target({ address });
    receiver.add_credit(incomingCredit);
  }

  /** A client receiver: a reply link for `$cbs`/`$management` (answers are routed by its address), or a consumer. */
  private onOutgoingLink({ sender }: EventContext): void {
    if (!sender) return;
    const address = String(sender.source?.address ?? '');
    if (address !== '$cbs') {
      const target = this.admit(sender, address);
      if (!target) return;
      if (!target.management) this.consumers.add(sender, target.subQueue);
    }
    sender.set_source({ address });
  }

  private onMessage(context: EventContext & { format?: number }): void {
    const { receiver, delivery, message, connection } = context;
    const role = receiver && this.roles.get(receiver);
    if (!receiver || !role || !delivery || message === undefined) return;
    receiver.add_credit(1);
    if (role.kind === 'entity') {
      this.enqueue(role.queue, delivery, message, context.format);
    } else if (role.kind === 'cbs') {
      delivery.accept();
      const reply = putToken(message, this.putTokenContext(), this.claimsOf(connection));
      this.reply(connection, message, {
        'status-code': rhea.types.wrap_int(reply.statusCode),
        'status-description': reply.statusDescription,
      });
    } else {
      delivery.accept();
      const reply = handleManagementRequest(role.subQueue, message);
      const properties: Record<string, unknown> = {
        statusCode: rhea.types.wrap_int(reply.statusCode),
        statusDescription: reply.statusDescription,
      };
      if (reply.errorCondition) properties['error-condition'] = reply.errorCondition;
      this.reply(connection, message, properties, reply.body);
    }
  }

  /** Accepts a single message or a batch (format 0x80013700) once every message in it is stored. */
  private enqueue(
    queue: Queue<Message>,
    delivery: Delivery,
    payload: Message,
    format: number | undefined,
  ): void {
    const size = Buffer.isBuffer(payload) ? payload.length : rhea.message.encode(payload).length;
    const messages = messagesOfTransfer(payload, format);
    if (!messages || messages.some(isScheduled)) {
      delivery.reject({
        condition: 'amqp:not-implemented',
        description: 'Scheduled messages and unknown formats are not supported.',
      });
    } else if (size > maxMessageSizeInBytes) {
      // Oversized messages are refused with amqp:link:message-size-exceeded (SDK code MessageSizeExceeded).
      delivery.reject({
        condition: 'amqp:link:message-size-exceeded',
        description: `The message exceeds ${maxMessageSizeInBytes} bytes.`,
      });
    } else {
      for (const message of messages) queue.send(message, ensureMessageId(message), timeToLiveOf(message));
      delivery.accept();
    }
  }

  /** Replies go out on the client's receiver whose address (or name) equals the request's `reply_to`. */
  private reply(
    connection: Connection,
    request: Message,
    applicationProperties: Record<string, unknown>,
    body?: unknown,
  ) {
    const replyTo = request.reply_to;
    const link = connection.find_sender((s: Sender) => s.target?.address === replyTo || s.name === replyTo);
    link?.send({
      correlation_id: request.message_id,
      to: replyTo,
      application_properties: applicationProperties,
      body,
    });
  }

  private putTokenContext() {
    return {
      namespaceUri: this.namespaceUri,
      rule: this.rule,
      entityExists: (entityPath: string) => this.resolve(entityPath) !== undefined,
    };
  }

  private claimsOf(connection: Connection): Claims {
    let claims = this.claims.get(connection);
    if (!claims) {
      claims = new Map();
      this.claims.set(connection, claims);
    }
    return claims;
  }
}
