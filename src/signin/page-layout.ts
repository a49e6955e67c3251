import { createHash } from 'node:crypto';
import { html, SafeHtml } from './html.js';
import type { PageResponse, ResponseCookie } from './web-types.js';

/** The only style on any page. Inline, allowed by its hash: no third-party or even first-party assets (R13). */
const style =
  'body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}' +
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}' +
  'button{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}.problem{border-left:4px solid #b00020;padding-left:1rem}' +
  '.done{border-left:4px solid #107c10;padding-left:1rem}code{overflow-wrap:anywhere}';
const trustedStyle = new SafeHtml(style);
const styleHash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;

export interface PageOptions {
  /** Where the page's form may post, and where that post may redirect (CSP form-action); none by default. */
  formTargets?: string[];
  cookies?: ResponseCookie[];
}

/**
 * Headers on every response of the sign-in endpoints (R13; RFC 9700 §4.2.4 referrer leakage, §4.16
 * clickjacking): nothing cached, no Referer leaves the page, nothing loads from anywhere, no framing.
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4
 */
export function securityHeaders(formTargets: string[] = []): Record<string, string> {
  const formAction = formTargets.length > 0 ? formTargets.join(' ') : "'none'";
  return {
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'content-security-policy': `default-src 'none'; style-src ${styleHash}; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
  };
}

export function page(status: number, title: string, body: SafeHtml, options: PageOptions = {}): PageResponse {
  const document = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${trustedStyle}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...securityHeaders(options.formTargets) },
    body: document.value,
    ...(options.cookies ? { cookies: options.cookies } : {}),
  };
}
