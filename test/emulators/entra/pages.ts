import { describe, type EntraFailure, entraTimestamp } from './entra-errors.js';

/**
 * The HTML Entra shows: error, sign-in and consent pages, and the form_post answer. The markup is the
 * stand-in's own (Entra's real pages are script-driven); `sign-in.ts` reads exactly these shapes.
 */

export function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export function htmlUnescape(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function errorLine(failure: EntraFailure): string {
  return `<p id="error" data-error-code="AADSTS${failure.code}">${htmlEscape(describe(failure))}</p>`;
}

/** Entra's "Sorry, but we're having trouble signing you in" page; the code sits in `data-error-code`. */
export function errorPage(failure: EntraFailure): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body><h1>Sign in</h1><p>Sorry, but we're having trouble signing you in.</p>${errorLine(failure)}
<p>Timestamp: ${entraTimestamp()}</p></body></html>`;
}

export function loginPage(action: string, appName: string, username: string, failure?: EntraFailure): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in to your account</title></head>
<body><h1>Sign in</h1><p>to continue to ${htmlEscape(appName)}</p>${failure ? errorLine(failure) : ''}
<form id="loginForm" method="post" action="${htmlEscape(action)}">
<label>Email, phone, or Skype <input name="username" type="email" autocomplete="username" value="${htmlEscape(username)}" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></body></html>`;
}

export function consentPage(action: string, appName: string, scope: string): string {
  const permissions = scope
    .split(' ')
    .filter(Boolean)
    .map((permission) => `<li>${htmlEscape(permission)}</li>`)
    .join('');
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Permissions requested</title></head>
<body><h1>Permissions requested</h1><p>${htmlEscape(appName)} would like to:</p><ul>${permissions}</ul>
<form id="consentForm" method="post" action="${htmlEscape(action)}">
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="decline">Cancel</button>
</form></body></html>`;
}

/**
 * Entra's `response_mode=form_post` answer: a "Working..." page whose script submits a hidden form to
 * the redirect URI (v2-oauth2-auth-code-flow.md: form_post "executes a POST containing the code to
 * your redirect URI").
 */
export function formPostPage(action: string, fields: ReadonlyArray<readonly [string, string]>): string {
  const inputs = fields
    .map(([name, value]) => `<input type="hidden" name="${htmlEscape(name)}" value="${htmlEscape(value)}" />`)
    .join('');
  return `<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${htmlEscape(action)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">document.forms[0].submit();</script></body></html>`;
}
