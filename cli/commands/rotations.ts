import { CliError } from '../cli-error.js';
import { resolveStatusEndpoint } from '../connection/status-endpoint.js';
import { type ExitCode, exitCodes } from '../exit-codes.js';
import type { Output } from '../output.js';
import { commonOptions, parseCommandArgs, statusEndpointOptions } from '../parse-command-args.js';
import { rotationsHelp } from '../rotations/rotation-help.js';

/** `ucprov rotations`: the rotation report. */
export async function rotations(args: string[], output: Output): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs('rotations', args, {
    ...commonOptions,
    ...statusEndpointOptions,
  });
  if (values.help) {
    output.result(rotationsHelp);
    return exitCodes.ok;
  }
  if (positionals.length > 0) throw CliError.usage("rotations takes no arguments: 'ucprov rotations'.");
  const endpoint = resolveStatusEndpoint(values);
  const { fetchRotationReport } = await import('../rotations/rotation-client.js');
  const report = await fetchRotationReport(endpoint);
  if (values.json) {
    output.json(report);
    return exitCodes.ok;
  }
  const { rotationColumns, rotationRows } = await import('../rotations/format-rotation.js');
  const rows = rotationRows(report);
  if (rows.length === 0) {
    output.progress('ucprov: no connection is managed yet, so there is no secret to rotate.');
    return exitCodes.ok;
  }
  const { formatTable } = await import('../format-table.js');
  for (const line of formatTable(rotationColumns, rows)) output.result(line);
  return exitCodes.ok;
}
