/**
 * Wire shapes of the Unity Catalog REST API, snake_case as sent and received. Only the fields this app
 * reads or writes; the server may return more.
 * @see https://docs.databricks.com/api/uc-connections/v1/connection.md
 * @see https://github.com/databricks/databricks-sdk-go/blob/main/service/catalog/model.go
 */

/** `ConnectionType` enum (SDK); this app only creates SQLSERVER connections. */
export type ConnectionType = 'SQLSERVER' | 'SQLDW' | (string & {});

/** Output-only `CredentialType` (SDK enum, abridged): what the server classified the option set as. */
export type CredentialType =
  | 'OAUTH_M2M'
  | 'OAUTH_U2M'
  | 'USERNAME_PASSWORD'
  | 'UNKNOWN_CREDENTIAL_TYPE'
  | (string & {});

export type ProvisioningState = 'ACTIVE' | 'DEGRADED' | 'DELETING' | 'FAILED' | 'PROVISIONING' | 'UPDATING';

/** Connection options are a flat string map; secrets (`client_secret`, …) are write-only and never returned. */
export type ConnectionOptions = Record<string, string>;

export interface ConnectionInfo {
  name: string;
  connection_type: ConnectionType;
  /** Redacted by the server: secret options are absent. */
  options?: ConnectionOptions;
  comment?: string;
  properties?: Record<string, string>;
  read_only?: boolean;
  owner?: string;
  credential_type?: CredentialType;
  securable_type?: string;
  url?: string;
  connection_id?: string;
  metastore_id?: string;
  full_name?: string;
  /** Epoch milliseconds. */
  created_at?: number;
  created_by?: string;
  updated_at?: number;
  updated_by?: string;
  provisioning_info?: { state?: ProvisioningState };
}

/** `POST /api/2.1/unity-catalog/connections`. There is no auth-type field: the option set decides. */
export interface CreateConnectionRequest {
  name: string;
  connection_type: ConnectionType;
  options: ConnectionOptions;
  comment?: string;
  properties?: Record<string, string>;
  read_only?: boolean;
}

/**
 * `PATCH /api/2.1/unity-catalog/connections/{name}`. `options`, when sent, replaces the whole map
 * (ALTER CONNECTION docs: "Replaces the existing list of options"), so it must carry every option, secrets
 * included. The SDK models declare it required, but Terraform PATCHes `{owner}` alone
 * (terraform-provider-databricks catalog/resource_connection.go), so an owner-only update leaves it out.
 */
export interface UpdateConnectionRequest {
  options?: ConnectionOptions;
  new_name?: string;
  owner?: string;
}

/** Securable types whose grants this app manages (`/permissions/{securable}/{name}`). */
export type Securable = 'connection' | 'catalog';

export interface PrivilegeAssignment {
  /** User name, group name or service principal application ID. */
  principal: string;
  privileges: string[];
}

export interface PermissionsChange {
  principal: string;
  add?: string[];
  remove?: string[];
}

export interface CatalogInfo {
  name: string;
  /** Set on foreign catalogs: the connection they read through. */
  connection_name?: string;
  options?: Record<string, string>;
  comment?: string;
  owner?: string;
  catalog_type?: string;
  full_name?: string;
  metastore_id?: string;
  securable_type?: string;
  created_at?: number;
  created_by?: string;
  updated_at?: number;
  updated_by?: string;
}

/** A foreign catalog: `{name, connection_name, options: {database}}` (databricks-sdk-go CreateCatalog). */
export interface CreateCatalogRequest {
  name: string;
  connection_name?: string;
  options?: Record<string, string>;
  comment?: string;
}
