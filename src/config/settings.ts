import { z } from 'zod';
import { redirectUriFor, redirectUriProblems } from '../signin/redirect-uri.js';

const booleanSetting = z.enum(['true', 'false']).transform((value) => value === 'true');

/**
 * Every setting the app reads, parsed once at startup. Names are app settings (environment
 * variables); infra/ sets the same names. A missing or malformed one fails with its name and an example.
 */
const settingDefinitions = {
  DATABRICKS_ALLOWED_WORKSPACES: {
    example: 'https://adb-1234567890123456.7.azuredatabricks.net,https://adb-2.8.azuredatabricks.net',
    schema: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z
              .url({ protocol: /^https$/, error: 'expected https workspace URLs separated by commas' })
              .transform(normalizeWorkspaceUrl),
          )
          .min(1, { error: 'expected at least one https workspace URL' }),
      ),
  },
  DATABRICKS_DEFAULT_WORKSPACE: {
    example: 'https://adb-1234567890123456.7.azuredatabricks.net',
    schema: z
      .url({ protocol: /^https$/, error: 'expected an https workspace URL' })
      .transform(normalizeWorkspaceUrl)
      .optional(),
  },
  SQL_ALLOWED_HOST_PATTERNS: {
    example: '*.database.windows.net',
    schema: z
      .string()
      .default('*.database.windows.net')
      .transform((value) =>
        value
          .split(',')
          .map((item) => item.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z.string().regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$/, {
              error: 'expected host names or *.domain patterns separated by commas',
            }),
          )
          .min(1, { error: 'expected at least one host pattern' }),
      ),
  },
  KEY_VAULT_URL: {
    example: 'https://my-vault.vault.azure.net',
    schema: z.url({ protocol: /^https$/, error: 'expected an https URL' }),
  },
  REQUEST_QUEUE_NAME: {
    example: 'connection-requests',
    schema: z.string().min(1).default('connection-requests'),
  },
  SERVICE_BUS_MAX_DELIVERY_COUNT: {
    example: '10',
    schema: z.coerce.number().int().min(1).max(2000).default(10),
  },
  STATE_STORAGE_CONNECTION_STRING: {
    example: 'UseDevelopmentStorage=true',
    schema: z.string().min(1).optional(),
  },
  STATE_TABLE_SERVICE_URL: {
    example: 'https://mystorage.table.core.windows.net',
    schema: z.url({ protocol: /^https?$/ }).optional(),
  },
  STATE_TABLE_PREFIX: {
    example: 'ucprov',
    schema: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9]{0,30}$/, { error: 'expected a letter, then up to 30 letters or digits' })
      .default('ucprov'),
  },
  RETRY_MAX_ATTEMPTS: { example: '5', schema: z.coerce.number().int().min(1).max(20).default(5) },
  RETRY_BASE_DELAY_MS: { example: '500', schema: z.coerce.number().int().min(1).default(500) },
  RETRY_MAX_DELAY_MS: { example: '15000', schema: z.coerce.number().int().min(1).default(15_000) },
  RETRY_BUDGET_MS: { example: '60000', schema: z.coerce.number().int().min(100).default(60_000) },
  CONNECTION_LEASE_MS: { example: '120000', schema: z.coerce.number().int().min(1000).default(120_000) },
  // Client-side pacing per workspace; the default is the Databricks Go SDK's (15 requests/s).
  DATABRICKS_MAX_REQUESTS_PER_SECOND: {
    example: '15',
    schema: z.coerce
      .number({ error: 'expected a number of API calls per second' })
      .positive({ error: 'expected a positive number of API calls per second' })
      .max(1000, { error: 'expected at most 1000 API calls per second' })
      .default(15),
  },
  GRAPH_BASE_URL: {
    example: 'https://graph.microsoft.com',
    schema: z.url({ protocol: /^https$/ }).default('https://graph.microsoft.com'),
  },
  PUBLIC_BASE_URL: {
    example: 'https://my-provisioner.azurewebsites.net',
    schema: z.url({ protocol: /^https?$/ }).optional(),
  },
  SIGNIN_LINK_LIFETIME_HOURS: {
    example: '72',
    schema: z.coerce
      .number()
      .min(1)
      .max(24 * 14)
      .default(72),
  },
  SIGNIN_REQUIRE_APPROVER_IDENTITY: { example: 'false', schema: booleanSetting.default(false) },
  SMTP_HOST: { example: 'smtp.azurecomm.net', schema: z.string().min(1).optional() },
  SMTP_PORT: { example: '587', schema: z.coerce.number().int().min(1).max(65535).default(587) },
  SMTP_SECURITY: {
    example: 'starttls',
    schema: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  },
  SMTP_SENDER: {
    example: 'Connection provisioner <provisioner@contoso.com>',
    schema: z.string().min(3).optional(),
  },
  SMTP_USERNAME: { example: 'provisioner@contoso.com', schema: z.string().min(1).optional() },
  SMTP_PASSWORD_SECRET_REF: {
    example: 'smtp-password',
    schema: z
      .string()
      .regex(/^[0-9a-zA-Z-]{1,127}$/)
      .optional(),
  },
  ROTATION_ENABLED: { example: 'true', schema: booleanSetting.default(true) },
  ROTATION_SCHEDULE: { example: '0 0 2 * * *', schema: z.string().min(9).default('0 0 2 * * *') },
  ROTATION_MAX_SECRET_AGE_DAYS: { example: '90', schema: z.coerce.number().min(1).default(90) },
  ROTATION_EXPIRY_WARNING_DAYS: { example: '30', schema: z.coerce.number().min(0).default(30) },
  ROTATION_SECRET_LIFETIME_DAYS: { example: '180', schema: z.coerce.number().min(1).max(730).default(180) },
  ROTATION_GRACE_PERIOD_HOURS: { example: '24', schema: z.coerce.number().min(0).default(24) },
  ROTATION_U2M_POLICY: { example: 'reconsent', schema: z.enum(['reconsent', 'patch']).default('reconsent') },
  AZURE_AUTHORITY_HOST: {
    example: 'https://login.microsoftonline.com',
    schema: z.url({ protocol: /^https$/ }).optional(),
  },
  AZURE_TENANT_ID: { example: '00000000-0000-0000-0000-000000000000', schema: z.string().min(1).optional() },
  AZURE_CLIENT_ID: { example: '00000000-0000-0000-0000-000000000000', schema: z.string().min(1).optional() },
  AZURE_CLIENT_SECRET: { example: '(local development only)', schema: z.string().min(1).optional() },
} as const;

type Definitions = typeof settingDefinitions;
export type SettingName = keyof Definitions;
export const settingNames = Object.keys(settingDefinitions) as SettingName[];
type RawSettings = { [K in SettingName]: z.output<Definitions[K]['schema']> };

export interface Settings {
  workspaces: { allowed: string[]; default?: string };
  sqlHostPatterns: string[];
  keyVaultUrl: string;
  requestQueueName: string;
  maxDeliveryCount: number;
  state: { connectionString?: string; tableServiceUrl?: string; tablePrefix: string };
  retry: { maxAttempts: number; baseDelayInMs: number; maxDelayInMs: number; budgetInMs: number };
  connectionLeaseInMs: number;
  /** Calls per second each workspace's client may send (DATABRICKS_MAX_REQUESTS_PER_SECOND). */
  databricks: { maxRequestsPerSecond: number };
  graphBaseUrl: string;
  signIn: {
    /** Where the app is reachable from a browser; the OAuth redirect URI is derived from it. */
    publicBaseUrl?: string;
    linkLifetimeInHours: number;
    requireApproverIdentity: boolean;
  };
  smtp: {
    host?: string;
    port: number;
    security: 'starttls' | 'tls' | 'none';
    sender?: string;
    username?: string;
    passwordSecretRef?: string;
  };
  rotation: {
    enabled: boolean;
    schedule: string;
    maxSecretAgeInDays: number;
    expiryWarningInDays: number;
    secretLifetimeInDays: number;
    gracePeriodInHours: number;
    u2mPolicy: 'reconsent' | 'patch';
  };
  identity: { authorityHost?: string; tenantId?: string; clientId?: string; clientSecret?: string };
}

export class SettingsError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

export function parseSettings(env: Record<string, string | undefined>): Settings {
  const problems: string[] = [];
  const raw: Partial<Record<SettingName, unknown>> = {};
  for (const name of settingNames) {
    const { schema, example } = settingDefinitions[name];
    const value = env[name]?.trim() === '' ? undefined : env[name];
    const result = (schema as z.ZodType).safeParse(value);
    if (result.success) raw[name] = result.data;
    else
      problems.push(
        value === undefined
          ? `${name} is required, e.g. ${name}=${example}`
          : `${name} is malformed (${describeIssue(result.error.issues[0])}), e.g. ${name}=${example}`,
      );
  }
  const settings = raw as RawSettings;
  if (settings.PUBLIC_BASE_URL) {
    // R16: the redirect URI derived from it must be one Entra accepts, checked at startup, not at first sign-in.
    const redirectUri = redirectUriFor(settings.PUBLIC_BASE_URL);
    const uriProblems = redirectUriProblems(redirectUri);
    if (uriProblems.length > 0) {
      problems.push(
        `PUBLIC_BASE_URL gives the OAuth redirect URI ${redirectUri}, which Microsoft Entra ID refuses: it ${uriProblems.join('; ')}, e.g. PUBLIC_BASE_URL=${settingDefinitions.PUBLIC_BASE_URL.example}`,
      );
    }
  }
  const storageConnection = settings.STATE_STORAGE_CONNECTION_STRING ?? env.AzureWebJobsStorage;
  if (problems.length === 0) {
    if (
      settings.DATABRICKS_DEFAULT_WORKSPACE &&
      !settings.DATABRICKS_ALLOWED_WORKSPACES.includes(settings.DATABRICKS_DEFAULT_WORKSPACE)
    ) {
      problems.push(
        `DATABRICKS_DEFAULT_WORKSPACE (${settings.DATABRICKS_DEFAULT_WORKSPACE}) must be one of DATABRICKS_ALLOWED_WORKSPACES, e.g. DATABRICKS_ALLOWED_WORKSPACES=${[...settings.DATABRICKS_ALLOWED_WORKSPACES, settings.DATABRICKS_DEFAULT_WORKSPACE].join(',')}`,
      );
    }
    if (!storageConnection && !settings.STATE_TABLE_SERVICE_URL) {
      problems.push(
        'STATE_TABLE_SERVICE_URL (managed identity) or STATE_STORAGE_CONNECTION_STRING is required, e.g. STATE_TABLE_SERVICE_URL=https://mystorage.table.core.windows.net',
      );
    }
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return {
    workspaces: {
      allowed: settings.DATABRICKS_ALLOWED_WORKSPACES,
      default: settings.DATABRICKS_DEFAULT_WORKSPACE,
    },
    sqlHostPatterns: settings.SQL_ALLOWED_HOST_PATTERNS,
    keyVaultUrl: settings.KEY_VAULT_URL,
    requestQueueName: settings.REQUEST_QUEUE_NAME,
    maxDeliveryCount: settings.SERVICE_BUS_MAX_DELIVERY_COUNT,
    state: {
      connectionString: settings.STATE_TABLE_SERVICE_URL ? undefined : storageConnection,
      tableServiceUrl: settings.STATE_TABLE_SERVICE_URL,
      tablePrefix: settings.STATE_TABLE_PREFIX,
    },
    retry: {
      maxAttempts: settings.RETRY_MAX_ATTEMPTS,
      baseDelayInMs: settings.RETRY_BASE_DELAY_MS,
      maxDelayInMs: settings.RETRY_MAX_DELAY_MS,
      budgetInMs: settings.RETRY_BUDGET_MS,
    },
    connectionLeaseInMs: settings.CONNECTION_LEASE_MS,
    databricks: { maxRequestsPerSecond: settings.DATABRICKS_MAX_REQUESTS_PER_SECOND },
    graphBaseUrl: settings.GRAPH_BASE_URL.replace(/\/+$/, ''),
    signIn: {
      publicBaseUrl: settings.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
      linkLifetimeInHours: settings.SIGNIN_LINK_LIFETIME_HOURS,
      requireApproverIdentity: settings.SIGNIN_REQUIRE_APPROVER_IDENTITY,
    },
    smtp: {
      host: settings.SMTP_HOST,
      port: settings.SMTP_PORT,
      security: settings.SMTP_SECURITY,
      sender: settings.SMTP_SENDER,
      username: settings.SMTP_USERNAME,
      passwordSecretRef: settings.SMTP_PASSWORD_SECRET_REF,
    },
    rotation: {
      enabled: settings.ROTATION_ENABLED,
      schedule: settings.ROTATION_SCHEDULE,
      maxSecretAgeInDays: settings.ROTATION_MAX_SECRET_AGE_DAYS,
      expiryWarningInDays: settings.ROTATION_EXPIRY_WARNING_DAYS,
      secretLifetimeInDays: settings.ROTATION_SECRET_LIFETIME_DAYS,
      gracePeriodInHours: settings.ROTATION_GRACE_PERIOD_HOURS,
      u2mPolicy: settings.ROTATION_U2M_POLICY,
    },
    identity: {
      authorityHost: settings.AZURE_AUTHORITY_HOST,
      tenantId: settings.AZURE_TENANT_ID,
      clientId: settings.AZURE_CLIENT_ID,
      clientSecret: settings.AZURE_CLIENT_SECRET,
    },
  };
}

/** zod's message without its generic prefix: `expected number, received NaN`. */
function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  return issue?.message.replace(/^(Invalid input|Invalid option|Too small|Too big): /, '') ?? 'invalid';
}

/** Workspace URLs compare by origin: `https://adb-1.azuredatabricks.net/` and `…net` are the same workspace. */
export function normalizeWorkspaceUrl(url: string): string {
  return new URL(url).origin.toLowerCase();
}
