import type { Settings } from '../config/settings.js';
import { PermanentError } from '../errors.js';
import { redirectUriFor } from './redirect-uri.js';

export interface SignInConfiguration {
  publicBaseUrl: string;
  /** The exact redirect URI: registered on the app (type Web), sent to Entra and to Databricks (R12, R16). */
  redirectUri: string;
  /** `PUBLIC_BASE_URL`'s origin: what a same-origin form post sends as `Origin` (R4). */
  publicOrigin: string;
}

/** The sign-in settings, or undefined when PUBLIC_BASE_URL is not set (an M2M-only deployment). */
export function signInConfiguration(settings: Pick<Settings, 'signIn'>): SignInConfiguration | undefined {
  const { publicBaseUrl } = settings.signIn;
  if (!publicBaseUrl) return undefined;
  return {
    publicBaseUrl,
    redirectUri: redirectUriFor(publicBaseUrl),
    publicOrigin: new URL(publicBaseUrl).origin,
  };
}

/**
 * A U2M request needs the public URL (for the link and the redirect URI) and a mail server. Their absence
 * is the operator's to fix, not the requester's, and no redelivery fixes it: the request fails at once.
 */
export function requireSignInConfiguration(settings: Pick<Settings, 'signIn' | 'smtp'>): SignInConfiguration {
  const configuration = signInConfiguration(settings);
  const missing = [
    ...(configuration ? [] : ['PUBLIC_BASE_URL']),
    ...(settings.smtp.host ? [] : ['SMTP_HOST']),
    ...(settings.smtp.sender ? [] : ['SMTP_SENDER']),
  ];
  if (!configuration || missing.length > 0) {
    throw PermanentError.failed(
      'SIGN_IN_NOT_CONFIGURED',
      `This provisioner is not set up for U2M sign-ins: its operator must set ${missing.join(', ')} (see docs/u2m-sign-in.md). Submit the request again afterwards.`,
    );
  }
  return configuration;
}
