import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSignedInAs, principalNames } from '../../src/signin/approver-identity.js';
import { type SignInHarness, startSignInHarness } from './sign-in-harness.js';

/** `x-ms-client-principal` as App Service Authentication sends it: Base64 JSON with the user's claims. */
function clientPrincipal(claims: Record<string, string>, nameType = 'preferred_username'): string {
  return Buffer.from(
    JSON.stringify({
      auth_typ: 'aad',
      name_typ: nameType,
      role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
      claims: Object.entries(claims).map(([typ, val]) => ({ typ, val })),
    }),
  ).toString('base64');
}

describe('R5: the approver identity behind App Service Authentication', () => {
  it('R5: reads the sign-in names from x-ms-client-principal and compares them case-insensitively', () => {
    const header = clientPrincipal({
      preferred_username: 'Ada@Contoso.com',
      oid: '00000000-0000-0000-0000-000000000001',
    });
    expect(principalNames(header)).toEqual(['ada@contoso.com']);
    expect(isSignedInAs(header, 'ada@contoso.com')).toBe(true);
    expect(isSignedInAs(header, 'eve@contoso.com')).toBe(false);
    expect(isSignedInAs(clientPrincipal({ name: 'Ada' }, 'name'), 'ada@contoso.com')).toBe(false);
    expect(isSignedInAs(null, 'ada@contoso.com')).toBe(false);
    expect(isSignedInAs('not base64 json', 'ada@contoso.com')).toBe(false);
  });

  describe('with SIGNIN_REQUIRE_APPROVER_IDENTITY=true', () => {
    let h: SignInHarness;
    beforeAll(async () => {
      h = await startSignInHarness({ extraSettings: () => ({ SIGNIN_REQUIRE_APPROVER_IDENTITY: 'true' }) });
    });
    afterAll(async () => {
      await h?.close();
    });

    it('R5: POST /api/signin by someone other than the approver gets 403 and leaves the link usable by the approver', async () => {
      const request = h.u2mRequest('r5_identity');
      await h.submit(request);
      const browser = h.browser();
      const page = await browser.get(await h.linkFor(request.requestId));

      const anonymous = await browser.confirm(page);
      expect(anonymous.status).toBe(403);
      expect(anonymous.body).toContain('You are not the approver of this request');
      const someoneElse = await browser.confirm(page, {
        headers: { 'x-ms-client-principal': clientPrincipal({ preferred_username: 'eve@example.test' }) },
      });
      expect(someoneElse.status).toBe(403);

      const approver = await browser.confirm(page, {
        headers: {
          'x-ms-client-principal': clientPrincipal({
            preferred_username: h.cloud.admin.username.toUpperCase(),
          }),
        },
      });
      expect(approver.status).toBe(302);
    });
  });
});
