import { exitCodeHelp } from './exit-codes.js';

const serviceBusHelp = `Service Bus (first match wins):
  --connection-string <cs>   or UCPROV_SERVICEBUS_CONNECTION_STRING
  --namespace <ns>           <name>.servicebus.windows.net, or UCPROV_SERVICEBUS_NAMESPACE;
                             signs in with DefaultAzureCredential (az login, workload identity)
  (none)                     .sandbox/endpoints.json in the current directory (npm run sandbox -- --detach)
  --queue <name>             or UCPROV_QUEUE; default connection-requests`;

const statusEndpointHelp = `Status endpoint (first match wins):
  --functions-url <url>      or UCPROV_FUNCTIONS_URL, e.g. https://myapp.azurewebsites.net
  --function-key <key>       or UCPROV_FUNCTION_KEY
  (none)                     .sandbox/endpoints.json in the current directory`;

export const mainHelp = `ucprov: send Unity Catalog connection requests to the provisioner and follow them.

Usage:
  ucprov submit <file|-> [--wait [--timeout <s>]]   validate, send, optionally wait for the outcome
  ucprov status <request-id>                        show a request's status
  ucprov dlq list                                   list dead-lettered requests
  ucprov dlq replay <message-id> | --all            send dead-lettered requests again
  ucprov rotations                                  list client-secret rotations and what they need
  ucprov rotate <client-id>                         rotate an app's client secret now

Every command takes --help, and --json for output scripts can parse.
The request format: schema/connection-request.schema.json, examples/ and docs/statuses.md.

${exitCodeHelp}`;

export const submitHelp = `Usage: ucprov submit <file|-> [options]

Validates the request with the provisioner's own rules (every reason at once, nothing is sent if one
fails), gives it a requestId if it has none (written into the body), sends it to the queue with
messageId = requestId, and prints the request id on stdout.

Options:
  --wait                     follow the status until it is final; progress goes to stderr
  --timeout <seconds>        with --wait: give up after this long (default 600)
  --stop-at-sign-in          with --wait: stop as soon as a U2M request awaits the approver (exit 13)
  --json                     print one JSON document: requestId, outcome, exitCode, reasons, status
  -h, --help

${serviceBusHelp}

${statusEndpointHelp}
  (needed with --wait only)

${exitCodeHelp}`;

export const statusHelp = `Usage: ucprov status <request-id> [options]

Shows the request's status, reasons, connection, workspace and history (docs/statuses.md).
Exits 0 when the request is known, 4 when it is not (yet).

Options:
  --json                     print the status as the endpoint returns it
  -h, --help

${statusEndpointHelp}

${exitCodeHelp}`;

export const dlqHelp = `Usage:
  ucprov dlq list                        list the dead-letter queue
  ucprov dlq replay <message-id> | --all send dead-lettered requests again

Run 'ucprov dlq list --help' or 'ucprov dlq replay --help' for details.`;

export const dlqListHelp = `Usage: ucprov dlq list [options]

Peeks (never removes) the requests queue's dead-letter queue and shows, per message: message id,
request id, when it was enqueued, delivery count, and DeadLetterReason/DeadLetterErrorDescription.

Options:
  --max <n>                  show at most n messages (default 1000)
  --json                     print a JSON array
  -h, --help

${serviceBusHelp}

${exitCodeHelp}`;

export const dlqReplayHelp = `Usage: ucprov dlq replay <message-id> | --all [options]

Sends each dead-lettered message back to the queue with its original body and application
properties, then removes it from the dead-letter queue. The copy gets a new message id
(<id>-replay-<n>) because Service Bus duplicate detection would silently drop a copy with the
original id; the body keeps its requestId, which is what the provisioner keys on (a dead-lettered
request starts over). Fix what made it fail before replaying.

Options:
  --all                      replay every message in the dead-letter queue
  --json                     print a JSON array of what was replayed
  -h, --help

${serviceBusHelp}

${exitCodeHelp}`;
