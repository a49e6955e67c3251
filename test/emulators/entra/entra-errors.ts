import { randomUUID } from 'node:crypto';

/**
 * The Entra failures the stand-in produces: a closed set. Codes and wording from
 * MicrosoftDocs/entra-docs `docs/identity-platform/reference-error-codes.md` unless noted; full messages as
 * seen in public bug reports where the docs give only a summary.
 */
export interface EntraFailure {
  status: number;
  error: string;
  code: number;
  message: string;
}

const fail = (status: number, error: string, code: number, message: string): EntraFailure => ({
  status,
  error,
  code,
  message,
});

export const aadsts = {
  /** Body seen in microsoftgraph/windowsupdates-webapplication-sample#6 and Azure/azure-cli#22145. */
  tenantNotFound: (tenant: string) =>
    fail(
      400,
      'invalid_tenant',
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
    ),
  noReplyAddress: () => fail(400, 'invalid_request', 900971, 'No reply address provided.'),
  postOnly: (method: string) =>
    fail(
      400,
      'invalid_request',
      900561,
      `The endpoint only accepts POST requests. Received a ${method} request.`,
    ),
  missingParameter: (name: string) =>
    fail(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  /** `unauthorized_client` per the OAuth error table of the same doc; 400 as every OAuth error but invalid_client. */
  appNotFound: (appId: string, tenant: string) =>
    fail(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${appId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    ),
  missingClientSecret: () =>
    fail(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
  /** 401 and this wording: OfficeDev/microsoft-365-agents-toolkit#8621, Azure/sap-automation#418. */
  invalidClientSecret: (appId: string) =>
    fail(
      401,
      'invalid_client',
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`,
    ),
  /** InvalidClientSecretExpiredKeysProvided; 401 and wording from public reports (e.g. "clientCredentialsToken: received HTTP status 401"). */
  expiredClientSecret: (appId: string) =>
    fail(
      401,
      'invalid_client',
      7000222,
      `The provided client secret keys for app '${appId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
    ),
  clientCredentialsNeedDefault: (scope: string) =>
    fail(
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    ),
  invalidScope: (scope: string) =>
    fail(
      400,
      'invalid_scope',
      70011,
      `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`,
    ),
  severalResources: () =>
    fail(
      400,
      'invalid_scope',
      700022,
      'The provided value for the input parameter scope is not valid because it contains more than one resource. Scope contains more than one resource.',
    ),
  resourceNotFound: (resource: string, tenant: string) =>
    fail(
      400,
      'invalid_resource',
      500011,
      `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
    ),
  /** Authorize page; wording as Entra shows it today (aka.ms/redirectUriMismatchError). */
  redirectUriMismatch: (redirectUri: string, appId: string) =>
    fail(
      400,
      'invalid_request',
      50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${appId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
    ),
  /** Token endpoint, redirect_uri differs from the authorize request's (public reports of AADSTS500112). */
  replyAddressMismatch: () =>
    fail(
      400,
      'invalid_grant',
      500112,
      'The reply address does not match the reply address provided when requesting Authorization code.',
    ),
  pkceMismatch: () =>
    fail(
      400,
      'invalid_grant',
      501481,
      'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
    ),
  codeRedeemed: () =>
    fail(
      400,
      'invalid_grant',
      54005,
      'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
    ),
  grantExpired: () =>
    fail(
      400,
      'invalid_grant',
      70008,
      'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
    ),
  invalidCode: () =>
    fail(400, 'invalid_grant', 70000, "The provided value for the 'code' parameter is not valid."),
  invalidGrant: () =>
    fail(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.'),
  unsupportedGrantType: (grantType: string) =>
    fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`),
  invalidRequest: (detail: string) => fail(400, 'invalid_request', 9002313, `Invalid request. ${detail}`),
  /** Shown on the sign-in page; it never leaves Entra as an OAuth response. */
  invalidPassword: () =>
    fail(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  userNotFound: (username: string, tenant: string) =>
    fail(
      400,
      'invalid_grant',
      50034,
      `The user account ${username} does not exist in the ${tenant} directory.`,
    ),
  userDeclinedConsent: () => fail(400, 'access_denied', 65004, 'User declined to consent to access the app.'),
} as const;

export function describe(failure: EntraFailure): string {
  return `AADSTS${failure.code}: ${failure.message}`;
}

/** Entra formats timestamps as `2023-05-06 06:03:00Z`. */
export function entraTimestamp(): string {
  return `${new Date().toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/**
 * The JSON body of a failed token or discovery request.
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes#handling-error-codes-in-your-application
 */
export function errorBody(failure: EntraFailure) {
  const timestamp = entraTimestamp();
  const traceId = randomUUID();
  const correlationId = randomUUID();
  return {
    error: failure.error,
    error_description: `${describe(failure)}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [failure.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  };
}
