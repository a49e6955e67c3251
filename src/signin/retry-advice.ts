import type { U2mIntent } from './u2m-intent.js';

/** What to do after a failed sign-in: get a new link, the way that fits the request. */
export function retryAdvice(intent: Pick<U2mIntent, 'action' | 'write' | 'connection'>): string {
  const name = intent.connection.name;
  return intent.action === 'upsert' && intent.write === 'create'
    ? `To try again, submit the request again (ucprov submit) to get a new sign-in link.`
    : `To try again, send a "reauthorize" request for connection '${name}' (or submit the request again) to get a new sign-in link.`;
}
