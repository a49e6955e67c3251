import { relative } from 'node:path';
import { repositoryRoot, type SandboxEndpoints } from './sandbox-endpoints.js';

/** The short guide printed once the sandbox answers: what runs where, and what to do next. */
export function sandboxGuide(
  endpoints: SandboxEndpoints,
  how: 'foreground' | 'detached',
  endpointsFile: string,
): string {
  const path = (file: string) => relative(repositoryRoot, file) || file;
  const status = `${endpoints.functionsBaseUrl}/api/requests/<request-id>`;
  return [
    '',
    `The sandbox is running on 127.0.0.1 (${how === 'foreground' ? 'Ctrl-C stops everything' : "stop it with 'npm run sandbox:stop'"}).`,
    '',
    `  Function host    ${endpoints.functionsBaseUrl}   (the app's real functions, run by test/host)`,
    `  Status endpoint  curl -H 'x-functions-key: ${endpoints.functionKey}' ${status}`,
    `  Emails           ${endpoints.mail.listUrl}   (every mail the app sends, as JSON; SMTP ${endpoints.mail.smtpHost}:${endpoints.mail.smtpPort})`,
    `  Databricks       ${endpoints.databricksHost}   (stand-in; TLS CA ${path(endpoints.caCertPath)})`,
    `  Demo admin       ${endpoints.entra.admin.username} / ${endpoints.entra.admin.password}   (signs in for U2M requests)`,
    '',
    'Next:',
    `  npx ucprov submit ${path(endpoints.exampleRequestPath)} --wait     an M2M request for the demo tenant`,
    '  npx ucprov status <request-id>',
    `  curl -X POST -H 'x-functions-key: ${endpoints.masterKey}' -H 'content-type: application/json' \\`,
    `       -d '{"input":""}' ${endpoints.functionsBaseUrl}/admin/functions/rotateSecrets     run the rotation timer now`,
    '',
    `URLs, keys and the demo tenant's secrets for any client: ${path(endpointsFile)}`,
    ...(endpoints.logPath ? [`Output of the detached sandbox: ${path(endpoints.logPath)}`] : []),
    '',
  ].join('\n');
}
