import type { Cookie } from '@azure/functions';

/**
 * A `Set-Cookie` value as the Functions host writes a returned cookie. The worker turns `Cookie` into
 * `RpcHttpCookie` (azure-functions-nodejs-library src/converters/toRpcHttpCookie.ts: sameSite 'None' becomes
 * ExplicitNone, no sameSite stays unspecified); the host maps it to ASP.NET Core `CookieOptions`
 * (azure-functions-host src/WebJobs.Script.Grpc/MessageExtensions/GrpcMessageExtensionUtilities.cs,
 * `RpcHttpCookieConverter`) and `Response.Cookies.Append`, which escapes the value with `Uri.EscapeDataString`,
 * defaults `path` to `/`, and writes attributes in `SetCookieHeaderValue` order:
 * expires, max-age, domain, path, secure, samesite, httponly (lower-case names).
 */
export function toSetCookieHeader(cookie: Cookie): string {
  const parts = [`${cookie.name}=${escapeDataString(cookie.value)}`];
  if (cookie.expires !== undefined) parts.push(`expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`max-age=${Math.trunc(Number(cookie.maxAge))}`);
  if (cookie.domain) parts.push(`domain=${cookie.domain}`);
  parts.push(`path=${cookie.path || '/'}`);
  if (cookie.secure) parts.push('secure');
  const sameSite = cookie.sameSite?.toLowerCase();
  if (sameSite === 'strict' || sameSite === 'lax' || sameSite === 'none') parts.push(`samesite=${sameSite}`);
  if (cookie.httpOnly) parts.push('httponly');
  return parts.join('; ');
}

/** .NET `Uri.EscapeDataString`: RFC 3986 unreserved characters stay, everything else is percent-encoded. */
function escapeDataString(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
