import { CliError } from '../cli-error.js';
import { resolveStatusEndpoint } from '../connection/status-endpoint.js';
import { type ExitCode, exitCodes } from '../exit-codes.js';
import type { Output } from '../output.js';
import { commonOptions, parseCommandArgs, statusEndpointOptions } from '../parse-command-args.js';
import { rotateHelp } from '../rotations/rotation-help.js';

const guid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** `ucprov rotate <client-id>`: an immediate rotation through the provisioner's state machine. */
export async function rotate(args: string[], output: Output): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('rotate', args, {
    ...commonOptions,
    ...statusEndpointOptions,
    tenant: { type: 'string' },
  });
  if (values.help) {
    output.result(rotateHelp);
    return exitCodes.ok;
  }
  const [clientId, ...extra] = positionals;
  if (!clientId || extra.length > 0) {
    throw CliError.usage("rotate takes one argument, the app's client id: 'ucprov rotate <client-id>'.");
  }
  if (!guid.test(clientId)) {
    throw CliError.usage(
      `<client-id>: expected the app registration's application (client) id, a GUID; got '${clientId}'.`,
    );
  }
  if (values.tenant !== undefined && !guid.test(values.tenant)) {
    throw CliError.usage(`--tenant: expected a tenant id GUID, got '${values.tenant}'.`);
  }
  const endpoint = resolveStatusEndpoint(values);
  const client = await import('../rotations/rotation-client.js');
  const tenantId = values.tenant ?? (await tenantOf(clientId, await client.fetchRotationReport(endpoint)));
  if (!values.json)
    output.progress(`ucprov: rotating the client secret of ${clientId} (this can take a few minutes)…`);
  const result = await client.requestRotation(endpoint, tenantId, clientId);
  const progressed = result.results.every((item) =>
    ['completed', 'waiting_for_grace', 'not_due'].includes(item.outcome),
  );
  if (values.json) {
    output.json(result);
  } else {
    const { formatRotationResult } = await import('../rotations/format-rotation.js');
    for (const item of result.results) {
      const record = result.rotations.find(
        (candidate) => candidate.clientSecretRef.toLowerCase() === item.clientSecretRef.toLowerCase(),
      );
      for (const line of formatRotationResult(item, record)) output.result(line);
    }
  }
  return progressed ? exitCodes.ok : exitCodes.failed;
}

/** The app's tenant, from the apps the provisioner manages. */
async function tenantOf(
  clientId: string,
  report: Awaited<ReturnType<typeof import('../rotations/rotation-client.js').fetchRotationReport>>,
): Promise<string> {
  const tenants = new Set(
    [...report.apps, ...report.rotations]
      .filter((app) => app.clientId.toLowerCase() === clientId.toLowerCase())
      .map((app) => app.tenantId),
  );
  const [tenantId] = tenants;
  if (tenants.size === 1 && tenantId) return tenantId;
  if (tenants.size > 1) {
    throw CliError.usage(
      `App ${clientId} is used in more than one tenant (${[...tenants].join(', ')}): pass --tenant <tenant-id>.`,
    );
  }
  throw CliError.notFound(
    `No connection managed by the provisioner uses app ${clientId}, so there is no secret to rotate; 'ucprov rotations' lists the apps it knows.`,
  );
}
