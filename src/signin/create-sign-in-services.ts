import type { TableClient } from '@azure/data-tables';
import { PermanentError } from '../errors.js';
import { SmtpMailer } from '../mail/smtp-mailer.js';
import { type Clock, systemClock } from '../state/clock.js';
import { OAuthCallbackEndpoint } from './oauth-callback-endpoint.js';
import type { SignInDependencies } from './sign-in-dependencies.js';
import { SignInEndpoint } from './sign-in-endpoint.js';
import { SignInExpiry } from './sign-in-expiry.js';
import { SignInRequests } from './sign-in-requests.js';
import { SignInStore } from './sign-in-store.js';

/** The faces of the U2M sign-in: the queue side, `/api/signin`, `/api/oauth/callback` and the expiry timer. */
export interface SignInServices {
  requests: SignInRequests;
  endpoint: SignInEndpoint;
  callback: OAuthCallbackEndpoint;
  expiry: SignInExpiry;
}

export type SignInServicesInput = Omit<SignInDependencies, 'store' | 'mailer' | 'now'> & {
  signinsTable: TableClient;
  now?: Clock;
};

/** Wires the sign-in over the state tables, with an SMTP mailer whose password comes from Key Vault. */
export function createSignInServices(input: SignInServicesInput): SignInServices {
  const { signinsTable, now, ...rest } = input;
  const mailer = new SmtpMailer({
    smtp: rest.settings.smtp,
    async readPassword(secretRef) {
      try {
        return (await rest.secrets.read(secretRef)).value;
      } catch (error) {
        if (!(error instanceof PermanentError)) throw error;
        // The requester cannot fix the operator's mail settings: fail, naming the setting.
        throw PermanentError.failed(
          'SIGN_IN_NOT_CONFIGURED',
          `SMTP_PASSWORD_SECRET_REF names Key Vault secret '${secretRef}', which the provisioner cannot read (${error.reasons[0]?.code ?? 'error'}); its operator must fix the setting or the secret.`,
        );
      }
    },
  });
  const deps: SignInDependencies = {
    ...rest,
    store: new SignInStore(signinsTable),
    mailer,
    now: now ?? systemClock,
  };
  return {
    requests: new SignInRequests(deps),
    endpoint: new SignInEndpoint(deps),
    callback: new OAuthCallbackEndpoint(deps),
    expiry: new SignInExpiry(deps),
  };
}
