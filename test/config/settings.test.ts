import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError, settingNames } from '../../src/config/settings.js';

const workspace = 'https://adb-1234567890123456.7.azuredatabricks.net';
const minimal = {
  DATABRICKS_ALLOWED_WORKSPACES: workspace,
  KEY_VAULT_URL: 'https://my-vault.vault.azure.net',
  STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

/** The problems a configuration is refused with, one line per setting. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('app settings', () => {
  it('names every missing required setting at once, each with an example value', () => {
    expect(problemsOf({})).toEqual([
      'DATABRICKS_ALLOWED_WORKSPACES is required, e.g. DATABRICKS_ALLOWED_WORKSPACES=https://adb-1234567890123456.7.azuredatabricks.net,https://adb-2.8.azuredatabricks.net',
      'KEY_VAULT_URL is required, e.g. KEY_VAULT_URL=https://my-vault.vault.azure.net',
    ]);
  });

  it('treats a blank setting as missing', () => {
    expect(problemsOf({ ...minimal, KEY_VAULT_URL: '   ' })).toEqual([
      'KEY_VAULT_URL is required, e.g. KEY_VAULT_URL=https://my-vault.vault.azure.net',
    ]);
  });

  it.each([
    ['DATABRICKS_ALLOWED_WORKSPACES', 'http://adb-1.azuredatabricks.net', 'expected https workspace URLs'],
    ['DATABRICKS_ALLOWED_WORKSPACES', ' , ', 'expected at least one https workspace URL'],
    ['DATABRICKS_DEFAULT_WORKSPACE', 'adb-1.azuredatabricks.net', 'expected an https workspace URL'],
    ['SQL_ALLOWED_HOST_PATTERNS', 'evil*.com', 'expected host names or *.domain patterns'],
    ['SQL_ALLOWED_HOST_PATTERNS', '*.net', 'expected host names or *.domain patterns'],
    ['KEY_VAULT_URL', 'my-vault', 'expected an https URL'],
    ['SERVICE_BUS_MAX_DELIVERY_COUNT', 'ten', 'expected number'],
    ['SERVICE_BUS_MAX_DELIVERY_COUNT', '0', '>=1'],
    ['RETRY_MAX_ATTEMPTS', '2.5', 'expected int'],
    ['RETRY_BUDGET_MS', '50', '>=100'],
    ['STATE_TABLE_PREFIX', '1prefix', 'expected a letter, then up to 30 letters or digits'],
    ['ROTATION_ENABLED', 'yes', 'expected one of "true"|"false"'],
    ['SMTP_SECURITY', 'ssl', 'expected one of'],
  ])(
    'refuses a malformed %s (%j) with its name, what was expected and an example',
    (name, value, expectation) => {
      const [problem] = problemsOf({ ...minimal, [name]: value });
      expect(problem).toMatch(new RegExp(`^${name} is malformed \\(`));
      expect(problem).toContain(expectation);
      expect(problem).toMatch(new RegExp(`, e\\.g\\. ${name}=\\S+`));
    },
  );

  it('reports every malformed setting, not just the first', () => {
    const problems = problemsOf({ ...minimal, KEY_VAULT_URL: 'nope', RETRY_MAX_ATTEMPTS: 'many' });
    expect(problems.map((problem) => problem.split(' ')[0])).toEqual(['KEY_VAULT_URL', 'RETRY_MAX_ATTEMPTS']);
  });

  it('applies documented defaults when only the required settings are given', () => {
    const settings = parseSettings(minimal);
    expect(settings).toMatchObject({
      workspaces: { allowed: [workspace] },
      sqlHostPatterns: ['*.database.windows.net'],
      requestQueueName: 'connection-requests',
      maxDeliveryCount: 10,
      state: { connectionString: 'UseDevelopmentStorage=true', tablePrefix: 'ucprov' },
      retry: { maxAttempts: 5, baseDelayInMs: 500, maxDelayInMs: 15_000, budgetInMs: 60_000 },
      connectionLeaseInMs: 120_000,
      graphBaseUrl: 'https://graph.microsoft.com',
    });
    expect(settings.workspaces.default).toBeUndefined();
  });

  it('refuses a default workspace that is not on the allow-list, and shows the list that would fix it', () => {
    expect(
      problemsOf({ ...minimal, DATABRICKS_DEFAULT_WORKSPACE: 'https://adb-2.8.azuredatabricks.net' }),
    ).toEqual([
      `DATABRICKS_DEFAULT_WORKSPACE (https://adb-2.8.azuredatabricks.net) must be one of DATABRICKS_ALLOWED_WORKSPACES, e.g. DATABRICKS_ALLOWED_WORKSPACES=${workspace},https://adb-2.8.azuredatabricks.net`,
    ]);
  });

  it('compares workspaces by origin: case and a trailing slash do not matter', () => {
    const settings = parseSettings({
      ...minimal,
      DATABRICKS_ALLOWED_WORKSPACES: ` ${workspace.toUpperCase().replace('HTTPS', 'https')}/ , https://adb-2.8.azuredatabricks.net `,
      DATABRICKS_DEFAULT_WORKSPACE: `${workspace}/`,
    });
    expect(settings.workspaces).toEqual({
      allowed: [workspace, 'https://adb-2.8.azuredatabricks.net'],
      default: workspace,
    });
  });

  it('lower-cases and trims SQL host patterns', () => {
    const settings = parseSettings({
      ...minimal,
      SQL_ALLOWED_HOST_PATTERNS: ' *.Database.Windows.Net , sql.contoso.com',
    });
    expect(settings.sqlHostPatterns).toEqual(['*.database.windows.net', 'sql.contoso.com']);
  });

  it('needs state storage: a table service URL (managed identity) or a connection string, AzureWebJobsStorage as fallback', () => {
    const { STATE_STORAGE_CONNECTION_STRING: _, ...withoutStorage } = minimal;
    expect(problemsOf(withoutStorage)).toEqual([
      'STATE_TABLE_SERVICE_URL (managed identity) or STATE_STORAGE_CONNECTION_STRING is required, e.g. STATE_TABLE_SERVICE_URL=https://mystorage.table.core.windows.net',
    ]);
    expect(
      parseSettings({ ...withoutStorage, AzureWebJobsStorage: 'UseDevelopmentStorage=true' }).state,
    ).toMatchObject({ connectionString: 'UseDevelopmentStorage=true' });
    expect(
      parseSettings({ ...minimal, STATE_TABLE_SERVICE_URL: 'https://acct.table.core.windows.net' }).state,
    ).toEqual({ tableServiceUrl: 'https://acct.table.core.windows.net', tablePrefix: 'ucprov' });
  });

  it('reads the maxDeliveryCount the queue is deployed with and the retry limits', () => {
    const settings = parseSettings({
      ...minimal,
      SERVICE_BUS_MAX_DELIVERY_COUNT: '7',
      RETRY_MAX_ATTEMPTS: '3',
      RETRY_BASE_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '2000',
      RETRY_BUDGET_MS: '10000',
    });
    expect(settings.maxDeliveryCount).toBe(7);
    expect(settings.retry).toEqual({
      maxAttempts: 3,
      baseDelayInMs: 50,
      maxDelayInMs: 2000,
      budgetInMs: 10_000,
    });
  });

  it('gives an example value whenever it refuses any setting', () => {
    for (const name of settingNames) {
      const problems = (() => {
        try {
          parseSettings({ ...minimal, [name]: '\u0000not valid\u0000' });
          return [];
        } catch (error) {
          return (error as SettingsError).problems;
        }
      })();
      for (const problem of problems) expect(problem).toMatch(/, e\.g\. \w+=\S/);
    }
  });
});
