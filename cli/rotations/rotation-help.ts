import { exitCodeHelp } from '../exit-codes.js';

const endpointHelp = `Provisioner endpoint (first match wins):
  --functions-url <url>      or UCPROV_FUNCTIONS_URL, e.g. https://myapp.azurewebsites.net
  --function-key <key>       or UCPROV_FUNCTION_KEY
  (none)                     .sandbox/endpoints.json in the current directory`;

export const rotationsHelp = `Usage: ucprov rotations [options]

Lists client-secret rotations (GET /api/rotations): per app registration and Key Vault secret, its state
(started, secret_stored, secret_verified, connections_updated, completed), when it last changed, and what
happens next — or, when a person must act, exactly what to grant or change (docs/secret-rotation.md).
Apps whose connections are managed but that were never rotated are listed too.

Options:
  --json                     print the report as the endpoint returns it
  -h, --help

${endpointHelp}

${exitCodeHelp}`;

export const rotateHelp = `Usage: ucprov rotate <client-id> [options]

Rotates the client secret of one app registration now (POST /api/rotations/{tenantId}/{clientId}), through
the same recorded steps as the daily timer: new secret in Entra and Key Vault, verified, every connection
updated. The old secret is removed by a later run once the grace period (ROTATION_GRACE_PERIOD_HOURS) has
passed. A rotation already in progress continues instead of starting over. Can take up to a few minutes.

Options:
  --tenant <tenant-id>       the app's tenant; default: looked up in the rotation report
  --json                     print the outcome and the records as the endpoint returns them
  -h, --help

Exits 0 when the rotation went as far as it can now, 11 when it stopped (the output says why and what
to do), 4 when no connection uses the app.

${endpointHelp}

${exitCodeHelp}`;
