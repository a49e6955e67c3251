import { beforeAll, describe, expect, it } from 'vitest';
import { parseSettings, SettingsError, settingNames } from '../../src/config/settings.js';
import { type AppSetting, loadFunctionDefinitions, readAppSettings, readMainBicep } from './infra-files.js';

// The template and the code must agree on every app setting name: a typo deploys fine and fails at
// the first invocation. These tests read the Bicep as text (no Bicep compiler offline) and compare it
// with src/config/settings.ts and with the functions' trigger options.

/** Settings read by the Functions host and its extensions, not by src/config/settings.ts. */
const hostSettingPatterns = [
  /^AzureWebJobsStorage__\w+$/,
  /^ServiceBusConnection__\w+$/,
  /^APPLICATIONINSIGHTS_[A-Z_]+$/,
  /^FUNCTIONS_[A-Z_]+$/,
  /^AzureFunctionsJobHost__\w+$/,
];

/**
 * Settings Flex Consumption rejects or ignores: the runtime, version and package live in
 * functionAppConfig. https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations
 */
const flexConsumptionDeprecated = [
  'FUNCTIONS_EXTENSION_VERSION',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_WORKER_RUNTIME_VERSION',
  'FUNCTIONS_MAX_HTTP_CONCURRENCY',
  'FUNCTIONS_WORKER_PROCESS_COUNT',
  'FUNCTIONS_WORKER_DYNAMIC_CONCURRENCY_ENABLED',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'ENABLE_ORYX_BUILD',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTOVERVNET',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_SKIP_CONTENTSHARE_VALIDATION',
];

/** Template parameters whose default must equal the code's default for the setting they feed. */
const settingDefaults: { setting: string; param: string }[] = [
  { setting: 'REQUEST_QUEUE_NAME', param: 'requestQueueName' },
  { setting: 'SERVICE_BUS_MAX_DELIVERY_COUNT', param: 'maxDeliveryCount' },
  { setting: 'SQL_ALLOWED_HOST_PATTERNS', param: 'sqlAllowedHostPatterns' },
  { setting: 'SIGNIN_LINK_LIFETIME_HOURS', param: 'signInLinkLifetimeHours' },
  { setting: 'SMTP_PORT', param: 'smtpPort' },
  { setting: 'SMTP_SECURITY', param: 'smtpSecurity' },
  { setting: 'ROTATION_ENABLED', param: 'rotationEnabled' },
  { setting: 'ROTATION_SCHEDULE', param: 'rotationSchedule' },
  { setting: 'ROTATION_U2M_POLICY', param: 'rotationU2mPolicy' },
];

/**
 * What the parser requires in Azure, found by asking it: parse an empty environment, supply each
 * setting it reports as required (with the example it suggests), repeat until it accepts. No
 * AzureWebJobsStorage connection string exists in Azure (host storage is identity-based), so state
 * storage needs its own setting.
 */
function requiredInAzure(): Record<string, string> {
  const env: Record<string, string> = {};
  for (let round = 0; round < 10; round += 1) {
    try {
      parseSettings(env);
      return env;
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      const missing = error.problems.flatMap((problem) => {
        const match = /is required, e\.g\. ([A-Z][A-Z0-9_]*)=(\S+)/.exec(problem);
        return match ? [[match[1] ?? '', match[2] ?? ''] as const] : [];
      });
      if (missing.length === 0) throw new Error(`the parser rejects its own examples: ${error.problems}`);
      for (const [name, example] of missing) env[name] = example;
    }
  }
  throw new Error('the parser kept asking for more settings');
}

/** A Bicep literal default as the string an app setting would carry: 'a' → a, 10 → 10, true → true. */
function literalValue(expression: string): string {
  const quoted = /^'(.*)'$/.exec(expression);
  if (quoted) return quoted[1] ?? '';
  if (/^(\d+|true|false)$/.test(expression)) return expression;
  throw new Error(`not a literal: ${expression}`);
}

describe('the function app settings in infra/', () => {
  let settings: AppSetting[];
  let names: Set<string>;
  beforeAll(() => {
    settings = readAppSettings();
    names = new Set(settings.map((setting) => setting.name));
  });

  it('are found in the template at all', () => {
    expect(settings.length).toBeGreaterThan(10);
    expect(new Set(settings.map((setting) => setting.file)).size).toBe(1);
  });

  it('include every setting the configuration parser requires in Azure', () => {
    const required = Object.keys(requiredInAzure());
    expect(required).toEqual(expect.arrayContaining(['KEY_VAULT_URL', 'STATE_TABLE_SERVICE_URL']));
    expect(required.filter((name) => !names.has(name))).toEqual([]);
  });

  it('name nothing that neither the app nor the Functions host reads', () => {
    const known = new Set<string>(settingNames);
    const unknown = [...names].filter(
      (name) => !known.has(name) && !hostSettingPatterns.some((pattern) => pattern.test(name)),
    );
    expect(unknown).toEqual([]);
  });

  it('set none of the settings Flex Consumption deprecates', () => {
    expect([...names].filter((name) => flexConsumptionDeprecated.includes(name))).toEqual([]);
  });

  it('never set the same name twice', () => {
    expect(settings.length).toBe(names.size);
  });

  it('connect host storage, Service Bus and telemetry with the managed identity, never a key', () => {
    const value = (name: string) => settings.find((setting) => setting.name === name)?.value;
    for (const connection of ['AzureWebJobsStorage', 'ServiceBusConnection']) {
      expect(value(`${connection}__credential`), connection).toBe("'managedidentity'");
      expect(value(`${connection}__clientId`), connection).toBe('identityClientId');
    }
    expect(value('AzureWebJobsStorage')).toBeUndefined();
    expect(value('ServiceBusConnection')).toBeUndefined();
    expect(value('AzureWebJobsStorage__blobServiceUri')).toBeDefined();
    expect(value('ServiceBusConnection__fullyQualifiedNamespace')).toBeDefined();
    expect(value('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe(
      `'ClientId=\${identityClientId};Authorization=AAD'`,
    );
    expect(value('AZURE_CLIENT_ID')).toBe('identityClientId');
    expect(value('STATE_STORAGE_CONNECTION_STRING')).toBeUndefined();
    expect(value('AZURE_CLIENT_SECRET')).toBeUndefined();
    const secretLooking = settings.filter((setting) =>
      /listKeys|listConnectionStrings|AccountKey|SharedAccessKey|primaryKey|secret\(/i.test(setting.value),
    );
    expect(secretLooking).toEqual([]);
  });

  it('spell booleans the way the parser reads them (lower-case true/false)', () => {
    const rotation = settings.find((setting) => setting.name === 'ROTATION_ENABLED');
    // How ARM's string() renders a bool is not documented as lower-case; the parser accepts only 'true'/'false'.
    expect(rotation?.value).toMatch(/\? 'true' : 'false'$/);
    expect(() => parseSettings({ ...requiredInAzure(), ROTATION_ENABLED: 'True' })).toThrow(SettingsError);
  });

  it('use literal values the parser accepts', () => {
    const literals = Object.fromEntries(
      settings
        .filter((setting) => /^'[^'$]*'$/.test(setting.value) && settingNames.includes(setting.name as never))
        .map((setting) => [setting.name, literalValue(setting.value)]),
    );
    expect(Object.keys(literals)).toContain('STATE_TABLE_PREFIX');
    expect(() => parseSettings({ ...requiredInAzure(), ...literals })).not.toThrow();
  });

  it("default to the code's own defaults (same queue, delivery count, schedule, …)", () => {
    const main = readMainBicep();
    const templateDefaults = Object.fromEntries(
      settingDefaults.map(({ setting, param }) => {
        const defaultValue = main.params.get(param)?.defaultValue;
        if (defaultValue === undefined) throw new Error(`main.bicep param ${param} has no default`);
        expect(names, `${setting} is set by the template`).toContain(setting);
        return [setting, literalValue(defaultValue)];
      }),
    );
    expect(templateDefaults.REQUEST_QUEUE_NAME).toBe('connection-requests');
    expect(parseSettings({ ...requiredInAzure(), ...templateDefaults })).toEqual(
      parseSettings(requiredInAzure()),
    );
  });

  it("resolve every %SETTING% placeholder and connection in the functions' trigger options", async () => {
    const definitions = await loadFunctionDefinitions();
    expect(definitions.map((definition) => definition.name)).toContain('provisionConnection');
    const placeholders = new Set<string>();
    const connections = new Set<string>();
    for (const definition of definitions) {
      for (const [key, option] of Object.entries(definition.options)) {
        if (typeof option !== 'string') continue;
        for (const match of option.matchAll(/%(\w+)%/g)) placeholders.add(match[1] ?? '');
        if (key === 'connection') connections.add(option);
      }
    }
    // The host resolves %NAME% from app settings when it indexes functions; a missing one stops the
    // function from loading (the parser's defaults do not help the host).
    expect([...placeholders].filter((name) => !names.has(name))).toEqual([]);
    expect(placeholders).toContain('REQUEST_QUEUE_NAME');
    for (const connection of connections) {
      expect(names, `identity-based connection '${connection}'`).toContain(`${connection}__credential`);
      expect(
        [...names].some((name) => name.startsWith(`${connection}__`) && /(Namespace|ServiceUri)$/.test(name)),
        `'${connection}' names its service`,
      ).toBe(true);
    }
  });
});
