/**
 * A Microsoft Graph error. On the wire: `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
 * (e.g. https://github.com/microsoftgraph/microsoft-graph-docs/issues/16208).
 */
export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(requestId: string, clientRequestId: string) {
    return {
      error: {
        code: this.code,
        message: this.message,
        // Graph writes the date without fraction or zone: "2022-03-17T16:05:41".
        innerError: {
          date: new Date().toISOString().slice(0, 19),
          'request-id': requestId,
          'client-request-id': clientRequestId,
        },
      },
    };
  }
}

/** "Access token is empty." / "Access token validation failure. Invalid audience." (issue #16208 above). */
export const invalidAuthenticationToken = (message: string) =>
  new GraphError(401, 'InvalidAuthenticationToken', message);

/** @see https://learn.microsoft.com/graph/errors ; message as returned for missing application permissions. */
export const insufficientPrivileges = () =>
  new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

/** Message seen from addPassword on an unknown (or not yet replicated) application: KelvinTegelaar/CIPP-API. */
export const resourceNotFound = (id: string) =>
  new GraphError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

/** Request validation failures; Graph's code is BadRequest, these texts are [inferred]. */
export const badRequest = (message: string) => new GraphError(400, 'BadRequest', message);
