/**
 * The two anonymous endpoints of the sign-in, as routes (relative to the Functions `api/` prefix) and as
 * paths. The callback path is part of the registered redirect URI, so it never changes casually:
 * Entra matches redirect URIs exactly and case-sensitively
 * (https://learn.microsoft.com/entra/identity-platform/reply-url).
 */
export const signInRoute = 'signin';
export const callbackRoute = 'oauth/callback';
export const signInPath = `/api/${signInRoute}`;
export const callbackPath = `/api/${callbackRoute}`;
