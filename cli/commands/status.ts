import { CliError } from '../cli-error.js';
import { resolveStatusEndpoint } from '../connection/status-endpoint.js';
import { type ExitCode, exitCodes } from '../exit-codes.js';
import { statusHelp } from '../help.js';
import type { Output } from '../output.js';
import { commonOptions, parseCommandArgs, statusEndpointOptions } from '../parse-command-args.js';
import { formatStatusView } from '../status/format-status.js';
import { fetchRequestStatus } from '../status/status-client.js';

/** `ucprov status <request-id>`: one look at the status endpoint. */
export async function status(args: string[], output: Output): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('status', args, {
    ...commonOptions,
    ...statusEndpointOptions,
  });
  if (values.help) {
    output.result(statusHelp);
    return exitCodes.ok;
  }
  const [requestId, ...extra] = positionals;
  if (!requestId || extra.length > 0) {
    throw CliError.usage("status takes one argument, the request id: 'ucprov status <request-id>'.");
  }
  const endpoint = resolveStatusEndpoint(values);
  const view = await fetchRequestStatus(endpoint, requestId);
  if (!view) {
    throw CliError.notFound(
      `No request '${requestId}' is known at ${endpoint.baseUrl}. A request sent moments ago shows up once ` +
        'the provisioner takes it from the queue; otherwise check the id (it is what ucprov submit printed).',
    );
  }
  if (values.json) output.json(view);
  else for (const line of formatStatusView(view)) output.result(line);
  return exitCodes.ok;
}
