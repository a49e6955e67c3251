import type { Reason } from '../errors.js';
import { html } from './html.js';
import { page } from './page-layout.js';
import { describeAction } from './sign-in-email.js';
import { type SignInProblemCode, signInProblems } from './sign-in-problem.js';
import type { U2mIntent } from './u2m-intent.js';
import type { PageResponse, ResponseCookie } from './web-types.js';

/** A refusal: what happened and what to do, with the problem's HTTP status. */
export function problemPage(
  code: SignInProblemCode,
  extraHeaders: Record<string, string> = {},
): PageResponse {
  const problem = signInProblems[code];
  const response = page(
    problem.status,
    problem.title,
    html`<h1>${problem.title}</h1>
<div class="problem"><p>${problem.explanation}</p></div>`,
  );
  return { ...response, headers: { ...response.headers, ...extraHeaders } };
}

export interface ConfirmationPageInput {
  intent: U2mIntent;
  expiresAt: Date;
  /** Posted back in the form body, never in a URL that request telemetry would record (R14). */
  token: string;
  csrf: string;
  /** `${PUBLIC_BASE_URL}/api/signin`: fixed by configuration, never taken from the request. */
  formAction: string;
  /** The form posts to us, and we redirect to Entra: both must be allowed by CSP form-action. */
  formTargets: string[];
  cookies: ResponseCookie[];
}

/**
 * R3: what the approver is asked to approve — connection, SQL server, workspace, requester, expiry — and a
 * button. Rendering it changes nothing on the server, so mail scanners may fetch it freely.
 */
export function confirmationPage(input: ConfirmationPageInput): PageResponse {
  const { intent, expiresAt } = input;
  const { connection } = intent;
  const verb = describeAction(intent);
  return page(
    200,
    `Approve the Databricks connection ${connection.name}`,
    html`<h1>Approve the Databricks connection ${connection.name}</h1>
<p>${intent.requestedBy ?? 'Someone'} asked to ${verb} a Unity Catalog connection to Azure SQL. Signing in lets Databricks reach the database with the permissions of the account you sign in with.</p>
<dl>
<dt>Connection</dt><dd>${connection.name}</dd>
<dt>SQL server</dt><dd>${connection.host}:${connection.port}</dd>
<dt>Workspace</dt><dd>${intent.workspace}</dd>
<dt>Requested by</dt><dd>${intent.requestedBy ?? '(not stated)'}</dd>
<dt>Request id</dt><dd>${intent.requestId}</dd>
<dt>Sign in as</dt><dd>${intent.approver}</dd>
<dt>Link valid until</dt><dd><time datetime="${expiresAt.toISOString()}">${expiresAt.toUTCString()}</time></dd>
</dl>
<form method="post" action="${input.formAction}">
<input type="hidden" name="t" value="${input.token}">
<input type="hidden" name="csrf" value="${input.csrf}">
<button type="submit">Continue to Microsoft sign-in</button>
</form>
<p>Nothing happens until you press the button. If you did not expect this request, close this page.</p>`,
    { formTargets: input.formTargets, cookies: input.cookies },
  );
}

export function succeededPage(intent: U2mIntent): PageResponse {
  const title = `Connection ${intent.connection.name} is ready`;
  return page(
    200,
    title,
    html`<h1>${title}</h1>
<div class="done"><p>Databricks redeemed your sign-in and ${intent.write === 'create' ? 'created' : 'updated'} the Unity Catalog connection <strong>${intent.connection.name}</strong> in ${intent.workspace}. Request ${intent.requestId} succeeded.</p></div>
<p>You can close this page.</p>`,
  );
}

export function failedPage(intent: U2mIntent, reasons: Reason[], status: number): PageResponse {
  const title = `Connection ${intent.connection.name} was not ${intent.write === 'create' ? 'created' : 'updated'}`;
  return page(
    status,
    title,
    html`<h1>${title}</h1>
<div class="problem">${reasons.map((reason) => html`<p>${reason.message}</p>`)}</div>
<p>Request ${intent.requestId} failed.</p>`,
  );
}

export function supersededPage(intent: U2mIntent): PageResponse {
  const title = 'A newer request replaced this sign-in';
  return page(
    409,
    title,
    html`<h1>${title}</h1>
<div class="problem"><p>A newer request for connection <strong>${intent.connection.name}</strong> arrived while you were signing in, so this one was not applied. Use the link in the most recent email.</p></div>`,
  );
}
