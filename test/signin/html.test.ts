import { describe, expect, it } from 'vitest';
import { escapeHtml, html, SafeHtml } from '../../src/signin/html.js';
import { securityHeaders } from '../../src/signin/page-layout.js';
import { problemPage } from '../../src/signin/pages.js';

describe('R11/R13: page output', () => {
  it('R11: escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('R11: the html template escapes every interpolated value, in text and attributes, unless it is SafeHtml', () => {
    const hostile = `"><script>alert(1)</script>`;
    const fragment = html`<p title="${hostile}">${hostile}</p>${[hostile, 1]}${undefined}${false}${new SafeHtml('<b>ok</b>')}`;
    expect(fragment.value).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;1<b>ok</b>',
    );
  });

  it("R13: headers forbid caching, referrers, framing and every load but the page's own hashed style", () => {
    expect(securityHeaders(['https://app.example', 'https://login.microsoftonline.com'])).toEqual({
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'content-security-policy': expect.stringMatching(
        /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; form-action https:\/\/app\.example https:\/\/login\.microsoftonline\.com; frame-ancestors 'none'; base-uri 'none'$/,
      ),
    });
    expect(securityHeaders()['content-security-policy']).toContain("form-action 'none'");
  });

  it("R13: the style the CSP allows by hash is exactly the page's inline style", async () => {
    const { createHash } = await import('node:crypto');
    const page = problemPage('LINK_UNKNOWN');
    const style = /<style>([^<]*)<\/style>/.exec(page.body ?? '')?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(page.headers['content-security-policy']).toContain(`style-src 'sha256-${hash}'`);
    expect(page.body).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
  });
});
