/**
 * R5: when the app sits behind App Service Authentication ("Easy Auth"), the platform signs the caller in
 * and passes who they are in `x-ms-client-principal` (Base64 JSON `{auth_typ, name_typ, claims:[{typ,val}]}`).
 * The platform strips this header from incoming requests, so it can only be trusted behind Easy Auth:
 * enable SIGNIN_REQUIRE_APPROVER_IDENTITY only there.
 * @see https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities#access-user-claims-in-app-code
 */
export const clientPrincipalHeader = 'x-ms-client-principal';

/** Claim types that carry a user's sign-in name in Entra tokens (UPN, or the preferred username). */
const nameClaimTypes = [
  'preferred_username',
  'upn',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn',
  'email',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];

interface ClientPrincipal {
  name_typ?: string;
  claims?: Array<{ typ?: string; val?: string }>;
}

/** Every sign-in name the principal carries (lower-case); empty when the header is absent or unreadable. */
export function principalNames(header: string | null): string[] {
  if (!header) return [];
  let principal: ClientPrincipal;
  try {
    principal = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ClientPrincipal;
  } catch {
    return [];
  }
  const types = new Set([...nameClaimTypes, ...(principal.name_typ ? [principal.name_typ] : [])]);
  return (principal.claims ?? [])
    .filter((claim) => claim.typ !== undefined && types.has(claim.typ) && typeof claim.val === 'string')
    .map((claim) => String(claim.val).toLowerCase());
}

/** Whether the signed-in caller is the approver the link was sent to (names compare case-insensitively). */
export function isSignedInAs(header: string | null, approver: string): boolean {
  return principalNames(header).includes(approver.toLowerCase());
}
