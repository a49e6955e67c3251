import { badRequest, GraphError } from './errors.js';

export type GraphAction = 'getApplication' | 'addPassword' | 'removePassword';

/** An application is addressed by object id (`/applications/{id}`) or by appId (`/applications(appId='{appId}')`). */
export type ApplicationKey = { by: 'id'; id: string } | { by: 'appId'; appId: string };

export interface GraphRoute {
  action: GraphAction;
  application: ApplicationKey;
}

const byIdPath = /^\/v1\.0\/applications\/([^/()]+)(?:\/(addPassword|removePassword))?$/;
const byAppIdPath = /^\/v1\.0\/applications\(appId='([^']+)'\)(?:\/(addPassword|removePassword))?$/;

/**
 * The routes of application-get, application-addpassword and application-removepassword (Graph v1.0 reference);
 * both addressing forms are documented for all three.
 */
export function resolveRoute(method: string, pathname: string): GraphRoute {
  const path = decodeURIComponent(pathname);
  const byId = byIdPath.exec(path);
  const byAppId = byId ? undefined : byAppIdPath.exec(path);
  const match = byId ?? byAppId;
  if (!match?.[1]) throw badRequest(`Resource not found for the segment '${path.split('/').at(-1) ?? ''}'.`);
  const application: ApplicationKey = byId ? { by: 'id', id: match[1] } : { by: 'appId', appId: match[1] };
  const action = (match[2] as GraphAction | undefined) ?? 'getApplication';
  const expectedMethod = action === 'getApplication' ? 'GET' : 'POST';
  if (method !== expectedMethod) {
    // Text of the directory service's 405 [inferred].
    throw new GraphError(
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
  }
  return { action, application };
}
