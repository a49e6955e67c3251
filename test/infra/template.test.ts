import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { callbackPath } from '../../src/signin/routes.js';
import { type BicepFile, findKey, objectKeys } from './bicep-text.js';
import { infraDirectory, readAllBicep, readMainBicep, repositoryRoot } from './infra-files.js';

// What `bicep build` would catch (and a few things it would not), checked on the text because the
// Bicep CLI cannot be installed offline (bicep-node and `az bicep install` both download it). Compile with
// `az bicep build --file infra/main.bicep` wherever the CLI is available.

/**
 * Built-in roles the template may assign, by the name it uses for them in rbac.bicep.
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
 */
const allowedRoles: Record<string, { id: string; role: string }> = {
  storageBlobDataOwner: { id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b', role: 'Storage Blob Data Owner' },
  storageQueueDataContributor: {
    id: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    role: 'Storage Queue Data Contributor',
  },
  storageTableDataContributor: {
    id: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    role: 'Storage Table Data Contributor',
  },
  monitoringMetricsPublisher: {
    id: '3913510d-42f4-4e42-8a64-420c390055eb',
    role: 'Monitoring Metrics Publisher',
  },
  keyVaultSecretsOfficer: { id: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7', role: 'Key Vault Secrets Officer' },
  keyVaultSecretsUser: { id: '4633458b-17de-408a-b874-0445c86b69e6', role: 'Key Vault Secrets User' },
  serviceBusDataReceiver: {
    id: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
    role: 'Azure Service Bus Data Receiver',
  },
  serviceBusDataSender: { id: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39', role: 'Azure Service Bus Data Sender' },
};

const guidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function block(file: BicepFile, pattern: RegExp): string {
  const match = pattern.exec(file.code);
  if (!match) throw new Error(`${file.path}: nothing matches ${pattern}`);
  return file.code.slice(match.index, file.code.indexOf('\n}\n', match.index) + 2);
}

describe('the Bicep template in infra/', () => {
  let main: BicepFile;
  let files: BicepFile[];
  const byName = (name: string) => {
    const file = files.find((candidate) => candidate.path.endsWith(`/app/${name}`));
    if (!file) throw new Error(`infra/app/${name} is missing`);
    return file;
  };
  beforeAll(() => {
    main = readMainBicep();
    files = readAllBicep();
  });

  it('deploys at subscription scope and puts everything in one resource group', () => {
    expect(main.code).toMatch(/^targetScope = 'subscription'$/m);
    expect(main.resources.map((resource) => resource.type)).toEqual(['Microsoft.Resources/resourceGroups']);
    for (const module of main.modules)
      expect(main.code).toMatch(
        new RegExp(`module ${module.symbol} [^\\n]+\\n(?:.*\\n){0,2}\\s+scope: rg\\n`),
      );
  });

  it('is split into one module per concern, each file present', () => {
    expect(main.modules.map((module) => module.path).sort()).toEqual([
      'app/function-app.bicep',
      'app/identity.bicep',
      'app/key-vault.bicep',
      'app/messaging.bicep',
      'app/monitoring.bicep',
      'app/rbac.bicep',
      'app/storage.bicep',
    ]);
    for (const module of main.modules)
      expect(existsSync(join(infraDirectory, module.path)), module.path).toBe(true);
  });

  it('uses no registry modules, so it builds without network access', () => {
    for (const file of files) {
      expect(file.code, file.path).not.toMatch(/'(br|ts)(\/[\w.-]+)?:/);
      for (const module of file.modules) expect(module.path, file.path).toMatch(/^[\w./-]+\.bicep$/);
    }
  });

  it('passes every module exactly the parameters it declares, and all it requires', () => {
    for (const file of files) {
      for (const module of file.modules) {
        const target = files.find((candidate) => candidate.path === resolve(dirname(file.path), module.path));
        if (!target) throw new Error(`${module.path} not found`);
        const declared = [...target.params.keys()];
        const required = [...target.params.values()].filter((param) => param.defaultValue === undefined);
        expect(
          module.params.filter((name) => !declared.includes(name)),
          `unknown params for ${module.path}`,
        ).toEqual([]);
        expect(
          required.map((param) => param.name).filter((name) => !module.params.includes(name)),
          `missing params for ${module.path}`,
        ).toEqual([]);
      }
    }
  });

  it('passes object-typed module parameters exactly the properties their type declares', () => {
    let checked = 0;
    for (const file of files) {
      for (const module of file.modules) {
        const target = files.find((candidate) => candidate.path === resolve(dirname(file.path), module.path));
        if (!target) throw new Error(`${module.path} not found`);
        const moduleStart = file.code.indexOf(`module ${module.symbol} `);
        const paramsBlock = findKey(file.code, file.code.indexOf('{', moduleStart), 'params');
        for (const param of target.params.values()) {
          if (param.type !== '{' || paramsBlock === undefined) continue;
          const passed = findKey(file.code, paramsBlock, param.name);
          if (passed === undefined) continue;
          const typeStart = target.code.indexOf('{', target.code.indexOf(`param ${param.name} {`));
          expect(objectKeys(file.code, passed).sort(), `${module.path} ${param.name}`).toEqual(
            objectKeys(target.code, typeStart).sort(),
          );
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('reads only outputs the modules declare', () => {
    for (const file of files) {
      for (const match of file.code.matchAll(/\b(\w+)\.outputs\.(\w+)/g)) {
        const module = file.modules.find((candidate) => candidate.symbol === match[1]);
        if (!module) throw new Error(`${file.path}: ${match[0]} reads a module that is not declared`);
        const target = files.find((candidate) => candidate.path === resolve(dirname(file.path), module.path));
        expect(target?.outputs, `${match[0]} in ${file.path}`).toContain(match[2]);
      }
    }
  });

  it('takes from main.parameters.json only parameters main.bicep declares, and every one it requires', () => {
    const parameters = JSON.parse(readFileSync(join(infraDirectory, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: unknown }>;
    };
    const passed = Object.keys(parameters.parameters);
    expect(passed.filter((name) => !main.params.has(name))).toEqual([]);
    // A required parameter missing here would make a non-interactive `azd up --no-prompt` fail.
    const required = [...main.params.values()].filter((param) => param.defaultValue === undefined);
    expect(required.map((param) => param.name).filter((name) => !passed.includes(name))).toEqual([]);
    for (const [name, { value }] of Object.entries(parameters.parameters)) {
      expect(value, name).toMatch(/^\$\{[A-Z][A-Z0-9_]*\}$/);
    }
  });

  it('assigns only allow-listed built-in roles, each under its own name', () => {
    const rbac = byName('rbac.bicep');
    const roles = /^var roles = \{([^}]*)\}/m.exec(rbac.code)?.[1] ?? '';
    const declared = Object.fromEntries(
      [...roles.matchAll(/^\s*(\w+): '([^']+)'$/gm)].map((match) => [match[1], match[2]]),
    );
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    for (const [name, id] of Object.entries(declared)) expect(id, name).toBe(allowedRoles[name]?.id);
    const allowedIds = new Set(Object.values(allowedRoles).map((role) => role.id));
    for (const file of files) {
      const guids = [...file.code.matchAll(guidPattern)]
        .map((match) => match[0].toLowerCase())
        .filter((guid) => guid !== '00000000-0000-0000-0000-000000000000'); // an example in a description
      expect(
        guids.filter((guid) => !allowedIds.has(guid)),
        file.path,
      ).toEqual([]);
    }
    // Data Owner (manage + send + receive) is never needed.
    expect(rbac.code).not.toContain('090c5cfd-751d-490a-894a-3ce6f1109419');
  });

  it("gives the app's identity least privilege: receive only, Secrets User unless rotation writes", () => {
    const rbac = byName('rbac.bicep');
    expect(block(rbac, /^var appStorageRoles = /m)).toMatch(
      /roles\.storageBlobDataOwner\s+roles\.storageQueueDataContributor\s+roles\.storageTableDataContributor\s+\]/,
    );
    expect(rbac.code).toMatch(
      /^var appVaultRole = rotationEnabled \? roles\.keyVaultSecretsOfficer : roles\.keyVaultSecretsUser$/m,
    );
    expect(rbac.code).toMatch(
      /^var appQueueRoles = functionAppSendsToQueue \? \[roles\.serviceBusDataReceiver, roles\.serviceBusDataSender\] : \[roles\.serviceBusDataReceiver\]$/m,
    );
    // Queue roles are scoped to the queue, not the namespace.
    for (const symbol of [
      'appQueueRoleAssignments',
      'deployerQueueRoleAssignments',
      'pipelineSenderRoleAssignments',
    ]) {
      expect(block(rbac, new RegExp(`^resource ${symbol} `, 'm')), symbol).toMatch(/scope: queue\n/);
    }
    expect(block(rbac, /^resource pipelineSenderRoleAssignments /m)).toContain('roles.serviceBusDataSender');
    // The pipelines' custom role reads the app and lists its function keys, nothing else.
    const actions = /actions: \[([^\]]*)\]/.exec(block(rbac, /^resource functionKeyReaderRole /m))?.[1];
    expect(actions?.trim().split(/\s+/)).toEqual([
      "'Microsoft.Web/sites/read'",
      "'Microsoft.Web/sites/functions/read'",
      "'Microsoft.Web/sites/functions/listkeys/action'",
    ]);
  });

  it('turns off key-based access on every service it creates', () => {
    expect(byName('storage.bicep').code).toMatch(/allowSharedKeyAccess: false/);
    expect(byName('storage.bicep').code).toMatch(/allowBlobPublicAccess: false/);
    expect(byName('messaging.bicep').code).toMatch(/disableLocalAuth: true/);
    expect(byName('monitoring.bicep').code).toMatch(/DisableLocalAuth: true/);
    expect(byName('key-vault.bicep').code).toMatch(/enableRbacAuthorization: true/);
    expect(byName('function-app.bicep').code).toMatch(/name: 'scm'\s+properties: \{\s+allow: false/);
    for (const file of files)
      expect(file.code, file.path).not.toMatch(/\b(listKeys|listConnectionStrings|listSecrets)\(/);
  });

  it('gives the request queue the delivery, lock, duplicate-detection and expiry settings as parameters', () => {
    const queue = block(byName('messaging.bicep'), /^resource queue /m);
    expect(queue).toMatch(/lockDuration: lockDuration\n/);
    expect(queue).toMatch(/maxDeliveryCount: maxDeliveryCount\n/);
    expect(queue).toMatch(/requiresDuplicateDetection: true\n/);
    expect(queue).toMatch(/duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow\n/);
    expect(queue).toMatch(/defaultMessageTimeToLive: messageTimeToLive\n/);
    expect(queue).toMatch(/deadLetteringOnMessageExpiration: true\n/);
    expect(main.params.get('maxDeliveryCount')?.defaultValue).toBe('10');
    expect(main.params.get('lockDuration')?.defaultValue).toBe("'PT1M'");
    expect(main.params.get('duplicateDetectionWindow')?.defaultValue).toBe("'PT10M'");
    // The app setting mirroring maxDeliveryCount comes from the same parameter the queue gets.
    expect(block(main, /^module messaging /m)).toMatch(/maxDeliveryCount: maxDeliveryCount\n/);
    expect(block(main, /^module functionApp /m)).toMatch(/maxDeliveryCount: maxDeliveryCount\n/);
  });

  it('runs the app on Flex Consumption with the Node.js major the package declares', () => {
    const app = byName('function-app.bicep');
    expect(block(app, /^resource plan /m)).toMatch(/tier: 'FlexConsumption'\s+name: 'FC1'/);
    expect(block(app, /^resource site /m)).toMatch(/runtime: \{\s+name: 'node'\s+version: nodeVersion/);
    expect(block(app, /^resource site /m)).toMatch(/type: 'UserAssigned'/);
    const engines = (
      JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { engines: { node: string } }
    ).engines.node;
    expect(main.params.get('nodeVersion')?.defaultValue).toBe(`'${/\d+/.exec(engines)?.[0]}'`);
  });

  it('outputs what the guide needs: base URL, OAuth callback URL, queue, namespace, vault, identity', () => {
    for (const output of [
      'FUNCTIONS_BASE_URL',
      'OAUTH_CALLBACK_URL',
      'REQUEST_QUEUE_NAME',
      'SERVICE_BUS_NAMESPACE',
      'KEY_VAULT_URL',
      'PROVISIONER_CLIENT_ID',
      'PROVISIONER_PRINCIPAL_ID',
    ]) {
      expect(main.outputs).toContain(output);
    }
    // The callback URL registered in Entra must be the redirect_uri the app sends, byte for byte.
    expect(byName('function-app.bicep').code).toContain(
      `output oauthCallbackUrl string = '\${publicBaseUrl}${callbackPath}'`,
    );
  });

  it('pins dated, non-preview API versions', () => {
    for (const file of files) {
      for (const resource of file.resources) {
        expect(resource.apiVersion, `${resource.type} in ${file.path}`).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
  });

  it('is what azure.yaml deploys: service api, TypeScript, Azure Functions, tagged for azd', () => {
    const azureYaml = readFileSync(join(repositoryRoot, 'azure.yaml'), 'utf8');
    expect(azureYaml).toMatch(
      /^services:\n {2}api:\n {4}project: \.\n {4}language: ts\n {4}host: function\n/m,
    );
    expect(azureYaml).toMatch(/^ {4}dist: dist\/function-app$/m);
    expect(azureYaml).toMatch(/^ {4}remoteBuild: false$/m);
    expect(byName('function-app.bicep').code).toContain("'azd-service-name': 'api'");
  });
});
