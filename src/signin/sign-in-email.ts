import type { MailMessage } from '../mail/mail-message.js';
import { html } from './html.js';
import type { U2mIntent } from './u2m-intent.js';

export interface SignInEmailInput {
  intent: U2mIntent;
  /** `https://<app>/api/signin?t=<token>`: the only link in the email (R1). */
  link: string;
  expiresAt: Date;
}

/**
 * The email to the approver: who asked for what (connection, SQL server, workspace, requester), until
 * when the link works, and what signing in grants. It carries nothing but our own link: no authorize URL,
 * no challenge, no state, no client id, no secret (R1, docs/u2m-sign-in.md).
 */
export function signInEmail({ intent, link, expiresAt }: SignInEmailInput): MailMessage {
  const { connection, workspace } = intent;
  const server = `${connection.host}:${connection.port}`;
  const requester = intent.requestedBy ?? 'an unnamed requester';
  const verb = describeAction(intent);
  const until = expiresAt
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const grants =
    `Signing in lets Databricks redeem a one-time code for a refresh token issued to the account you sign in with, ` +
    `for Azure SQL Database (delegated permission user_impersonation, offline access). Databricks keeps that token ` +
    `on the connection and uses it to reach ${connection.host} for queries through '${connection.name}', until ` +
    `the connection is deleted, re-authorized or the token is revoked.`;
  const text = [
    `${requester} asked to ${verb} the Databricks Unity Catalog connection '${connection.name}'.`,
    '',
    `  Connection:   ${connection.name}`,
    `  SQL server:   ${server}`,
    `  Workspace:    ${workspace}`,
    `  Requested by: ${requester}`,
    `  Request id:   ${intent.requestId}`,
    `  Sign in as:   ${intent.approver}`,
    '',
    `To approve, open this link before ${until} and sign in with your Microsoft Entra ID account:`,
    '',
    link,
    '',
    grants,
    '',
    'The link first shows a confirmation page; nothing happens until you press its button. If you did not expect this request, ignore this email: the link expires on its own.',
  ].join('\n');
  const body = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in needed</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5">
<p>${requester} asked to ${verb} the Databricks Unity Catalog connection <strong>${connection.name}</strong>.</p>
<table role="presentation">
<tr><th align="left">Connection</th><td>${connection.name}</td></tr>
<tr><th align="left">SQL server</th><td>${server}</td></tr>
<tr><th align="left">Workspace</th><td>${workspace}</td></tr>
<tr><th align="left">Requested by</th><td>${requester}</td></tr>
<tr><th align="left">Request id</th><td>${intent.requestId}</td></tr>
<tr><th align="left">Sign in as</th><td>${intent.approver}</td></tr>
</table>
<p>To approve, open this link before <strong>${until}</strong> and sign in with your Microsoft Entra ID account:</p>
<p><a href="${link}">Review and sign in</a></p>
<p>${grants}</p>
<p>The link first shows a confirmation page; nothing happens until you press its button. If you did not expect this request, ignore this email: the link expires on its own.</p>
</body></html>`;
  return {
    to: intent.approver,
    subject: `Sign-in needed: Databricks connection '${connection.name}' (${connection.host})`,
    text,
    html: body.value,
  };
}

/** "create", "update" or "re-authorize": what the approver's sign-in will do to the connection. */
export function describeAction(intent: Pick<U2mIntent, 'action' | 'write'>): string {
  if (intent.action === 'reauthorize') return 're-authorize';
  return intent.write === 'create' ? 'create' : 'update';
}
