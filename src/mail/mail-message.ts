/** One email: both an HTML and a plain-text body, for clients that show either. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail; failures are `TransientError('smtp')` (retry later) or `PermanentError` (the recipient is refused). */
export interface Mailer {
  send(message: MailMessage, options?: { abortSignal?: AbortSignal }): Promise<void>;
}
