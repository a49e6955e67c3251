import { randomUUID } from 'node:crypto';
import type { OptionRule, SqlServerCredentialType } from './classify.js';
import type { WorkspaceDirectory, WorkspacePrincipal } from './directory.js';

export interface StoredConnection {
  id: string;
  /** Lower-case (names.ts). */
  name: string;
  connectionType: 'SQLSERVER';
  credentialType: SqlServerCredentialType;
  /** Everything the caller sent, secrets included; redacted only on the way out. */
  options: Record<string, string>;
  comment?: string;
  properties?: Record<string, string>;
  owner: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  /**
   * U2M: the token set Databricks keeps after redeeming the code (#4771: redeemed at create; TF PR #5987
   * `refresh_token`).
   */
  oauthGrant?: { refreshToken?: string; accessTokenExpiresAt: number };
}

export interface StoredCatalog {
  id: string;
  name: string;
  connectionName: string;
  options: Record<string, string>;
  comment?: string;
  owner: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

export type SecurableType = 'connection' | 'catalog';

/** What tests configure once at start (DatabricksOptions, resolved). */
export interface WorkspaceConfig {
  m2mRule: OptionRule;
  m2mClassifiedAs: SqlServerCredentialType;
  u2mPatchWithoutCode: 'require_new_code' | 'keep_grant';
  errorCodes: { notFound: string; alreadyExists: string; catalogConnectionNotFound: string };
  listing: { serverPageSize: number; emptyPageEvery: number };
  rejectAddAndRemoveForOnePrincipal: boolean;
  metastoreName: string;
  metastoreId: string;
}

export interface WorkspaceState {
  config: WorkspaceConfig;
  directory: WorkspaceDirectory;
  connections: Map<string, StoredConnection>;
  catalogs: Map<string, StoredCatalog>;
  /** `${securableType}/${name}` → principal → privileges. */
  grants: Map<string, Map<string, Set<string>>>;
  counts: { created: number; updated: number; deleted: number; rateLimited: number };
}

/** What every API handler receives: the authenticated workspace principal and the workspace. */
export interface ApiContext {
  caller: WorkspacePrincipal;
  state: WorkspaceState;
}

export function createWorkspaceState(config: WorkspaceConfig, directory: WorkspaceDirectory): WorkspaceState {
  return {
    config,
    directory,
    connections: new Map(),
    catalogs: new Map(),
    grants: new Map(),
    counts: { created: 0, updated: 0, deleted: 0, rateLimited: 0 },
  };
}

export const newId = () => randomUUID();

export const grantKey = (type: SecurableType, name: string) => `${type}/${name}`;
