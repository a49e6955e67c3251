import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { Interaction } from 'oidc-provider';
import { readBody } from '../shared/http-body.js';
import type { Directory } from './directory.js';
import { aadsts, describe, type EntraFailure } from './entra-errors.js';
import { consentPage, errorPage, loginPage } from './pages.js';

/**
 * The sign-in and consent pages behind `/{tenant}/interaction/{uid}`: plain HTML forms a real browser
 * can use and `sign-in.ts` can drive with fetch. Their markup is the stand-in's own; what they decide
 * is Entra's: wrong password → AADSTS50126, unknown user → AADSTS50034 (both shown on the page, no
 * redirect), declined consent → `access_denied` AADSTS65004 sent to the app.
 */
export async function handleInteraction(
  input: { tenantId: string; provider: Provider; directory: Directory; subPath: string },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { tenantId, provider, directory } = input;
  const [, , uid, action] = input.subPath.split('/');
  const refuse = (message: string) => sendPage(res, 400, errorPage(aadsts.invalidRequest(message)));
  const interaction = await provider.interactionDetails(req, res).catch(() => undefined);
  if (!interaction) return refuse('The sign-in session was not found or has expired.');
  if (interaction.uid !== uid) return refuse('The sign-in session does not match this page.');
  const loginAction = `/${tenantId}/interaction/${uid}/login`;
  const appId = String(interaction.params.client_id);
  const appName = directory.getApp(appId)?.displayName ?? appId;

  if (req.method === 'GET' && action === undefined) {
    if (interaction.prompt.name === 'login') {
      return sendPage(res, 200, loginPage(loginAction, appName, String(interaction.params.login_hint ?? '')));
    }
    const consentAction = `/${tenantId}/interaction/${uid}/consent`;
    return sendPage(res, 200, consentPage(consentAction, appName, String(interaction.params.scope ?? '')));
  }
  if (req.method !== 'POST') return refuse(`${req.method} is not supported on this page.`);
  const form = new URLSearchParams((await readBody(req)).toString('utf8'));
  if (action === 'login') {
    const username = form.get('username') ?? '';
    const user = directory.findUser(tenantId, username);
    const retry = (failure: EntraFailure) =>
      sendPage(res, 200, loginPage(loginAction, appName, username, failure));
    if (!user) return retry(aadsts.userNotFound(username, tenantId));
    if (!directory.passwordMatches(user.objectId, form.get('password') ?? ''))
      return retry(aadsts.invalidPassword());
    return provider.interactionFinished(req, res, { login: { accountId: user.objectId } });
  }
  if (action === 'consent' && form.get('decision') === 'accept') {
    const grantId = await grantRequested(provider, interaction);
    return provider.interactionFinished(req, res, { consent: { grantId } });
  }
  if (action === 'consent') {
    const declined = aadsts.userDeclinedConsent();
    return provider.interactionFinished(req, res, {
      error: declined.error,
      error_description: describe(declined),
    });
  }
  refuse(`Unknown sign-in step '${action}'.`);
}

/** Records consent for what the request asked (the oidc-provider consent recipe). */
async function grantRequested(provider: Provider, interaction: Interaction): Promise<string> {
  const accountId = interaction.session?.accountId ?? '';
  const clientId = String(interaction.params.client_id);
  const grant =
    (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
    new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details as {
    missingOIDCScope?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

function sendPage(res: ServerResponse, status: number, html: string): void {
  // Entra's sign-in pages refuse framing (clickjacking, RFC 9700 §4.16) and must not be cached.
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
  });
  res.end(html);
}
