import { z } from 'zod';

/**
 * The public request contract: one schema, exported as `schema/connection-request.schema.json` for
 * pipelines (`npm run schema` regenerates it; a test keeps it in sync).
 */

const guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, {
    error: 'expected a GUID such as 00000000-0000-0000-0000-000000000000',
  });

// Key Vault object names: 1–127 characters, letters, digits and dashes.
// https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers
export const keyVaultSecretNamePattern = /^[0-9a-zA-Z-]{1,127}$/;
const keyVaultSecretName = z.string().regex(keyVaultSecretNamePattern, {
  error: 'expected a Key Vault secret name (1–127 letters, digits or dashes), not a secret value',
});

// Unity Catalog names: no period, space, forward slash or control characters, at most 255 characters.
// https://docs.databricks.com/sql/language-manual/sql-ref-names.html
const unityCatalogName = z
  .string()
  .min(1, { error: 'expected a non-empty name' })
  .max(255, { error: 'expected at most 255 characters' })
  .regex(/^[^./\s\p{Cc}]+$/u, {
    error: 'expected a Unity Catalog name without periods, spaces, slashes or control characters',
  });

const workspaceUrl = z
  .url({ protocol: /^https$/, error: 'expected an https URL such as https://adb-123.4.azuredatabricks.net' })
  .describe('Databricks workspace URL; defaults to the provisioner’s configured default workspace.');

const principal = z.string().trim().min(1, { error: 'expected a user, group or service principal name' });

const connectionPrivilege = z.enum(['USE_CONNECTION', 'CREATE_FOREIGN_CATALOG', 'MANAGE', 'ALL_PRIVILEGES']);
const catalogPrivilege = z.enum([
  'USE_CATALOG',
  'USE_SCHEMA',
  'SELECT',
  'BROWSE',
  'EXECUTE',
  'READ_VOLUME',
  'CREATE_SCHEMA',
  'CREATE_TABLE',
  'MODIFY',
  'MANAGE',
  'ALL_PRIVILEGES',
]);

function grantsOf<P extends z.ZodType<string>>(privilege: P) {
  return z
    .array(
      z.strictObject({
        principal,
        privileges: z.array(privilege).min(1, { error: 'expected at least one privilege' }),
      }),
    )
    .describe('Privileges to grant; existing privileges the request does not mention are never revoked.');
}

const requestId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
    error: 'expected 1–128 letters, digits, ".", "_", ":" or "-" (it becomes the Service Bus messageId)',
  })
  .describe('Idempotency key; defaults to the Service Bus messageId.');

const requestedBy = z
  .string()
  .min(1)
  .max(256)
  .describe('Who asked for this (pipeline or person); shown to the approver.');

export const connectionSettingsSchema = z.strictObject({
  name: unityCatalogName.describe('Unity Catalog connection name (case-insensitive).'),
  host: z
    .string()
    .regex(
      /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/,
      {
        error: 'expected a DNS host name such as myserver.database.windows.net',
      },
    ),
  port: z
    .int({ error: 'expected a TCP port number from 1 to 65535 (a JSON number, not a string)' })
    .min(1, { error: 'expected a TCP port number from 1 to 65535' })
    .max(65535, { error: 'expected a TCP port number from 1 to 65535' })
    .default(1433),
  trustServerCertificate: z.boolean().default(false),
  applicationIntent: z.enum(['ReadOnly', 'ReadWrite']).optional(),
  comment: z.string().max(1024).optional(),
  owner: principal.optional().describe('Principal that owns the connection after creation.'),
});

export const authSchema = z.strictObject({
  flow: z.enum(['M2M', 'U2M']),
  tenantId: guid.describe('Entra tenant of the app registration.'),
  clientId: guid.describe('Application (client) id of the app registration Databricks uses for Azure SQL.'),
  clientSecretRef: keyVaultSecretName.describe(
    'Name of the Key Vault secret holding the client secret. Requests never carry the secret itself.',
  ),
  approver: z
    .email({ error: 'expected the approver’s email address (user principal name)' })
    .optional()
    .describe('U2M only: who receives the sign-in link.'),
});

export const foreignCatalogSchema = z.strictObject({
  name: unityCatalogName,
  database: z.string().min(1).max(128),
  comment: z.string().max(1024).optional(),
  grants: grantsOf(catalogPrivilege).optional(),
});

const upsertRequestSchema = z
  .strictObject({
    requestId: requestId.optional(),
    action: z.literal('upsert'),
    workspace: workspaceUrl.optional(),
    requestedBy: requestedBy.optional(),
    adopt: z
      .boolean()
      .default(false)
      .describe('Take over a connection with this name that exists but was not created by the provisioner.'),
    connection: connectionSettingsSchema,
    auth: authSchema,
    grants: grantsOf(connectionPrivilege).optional(),
    foreignCatalog: foreignCatalogSchema.optional(),
  })
  .superRefine((request, ctx) => {
    if (request.auth.flow === 'U2M' && !request.auth.approver) {
      ctx.addIssue({
        code: 'custom',
        path: ['auth', 'approver'],
        message: 'expected the approver’s email address: U2M connections need someone to sign in',
      });
    }
  });

const deleteRequestSchema = z.strictObject({
  requestId: requestId.optional(),
  action: z.literal('delete'),
  workspace: workspaceUrl.optional(),
  requestedBy: requestedBy.optional(),
  connection: z.strictObject({ name: unityCatalogName }),
});

const reauthorizeRequestSchema = z
  .strictObject({
    requestId: requestId.optional(),
    action: z.literal('reauthorize'),
    workspace: workspaceUrl.optional(),
    requestedBy: requestedBy.optional(),
    connection: z.strictObject({ name: unityCatalogName }),
    auth: z
      .strictObject({
        approver: z
          .email({ error: 'expected the approver’s email address (user principal name)' })
          .optional()
          .describe('Who receives the sign-in link; defaults to the approver of the last sign-in.'),
      })
      .optional(),
  })
  .describe(
    'U2M only: email a fresh sign-in link for a connection the provisioner created, and PATCH it with the new grant after sign-in.',
  );

export const connectionRequestSchema = z.discriminatedUnion(
  'action',
  [upsertRequestSchema, deleteRequestSchema, reauthorizeRequestSchema],
  {
    error: 'expected one of: upsert, delete, reauthorize',
  },
);

export type ConnectionRequest = z.output<typeof connectionRequestSchema>;
export type UpsertRequest = Extract<ConnectionRequest, { action: 'upsert' }>;
export type DeleteRequest = Extract<ConnectionRequest, { action: 'delete' }>;
export type ReauthorizeRequest = Extract<ConnectionRequest, { action: 'reauthorize' }>;
export type ConnectionRequestInput = z.input<typeof connectionRequestSchema>;
