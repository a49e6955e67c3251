import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { submitHelp } from '../../cli/help.js';
import type { FunctionDefinition } from '../../functions/shared/define-function.js';
import {
  infraDirectory,
  listFiles,
  loadFunctionDefinitions,
  readMainBicep,
  repositoryRoot,
} from './infra-files.js';

// The guide and the pipeline examples are instructions people copy: they must name the variables the
// template reads, the outputs it writes, the options the CLI takes and the function that serves statuses.

const read = (...path: string[]) => readFileSync(join(repositoryRoot, ...path), 'utf8');
const guide = read('docs', 'deploy.md');
const pipelines = {
  'GitHub Actions': read('examples', 'pipelines', 'github-actions.yml'),
  'Azure DevOps': read('examples', 'pipelines', 'azure-pipelines.yml'),
};
const cliSource = listFiles(join(repositoryRoot, 'cli'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');

/** The shell blocks of a Markdown text. */
function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

/** `ucprov submit …` invocations, continuation lines joined. */
function submitCommands(text: string): string[] {
  return [...text.replace(/\\\n\s*/g, ' ').matchAll(/npx ucprov submit [^\n]*/g)].map((match) => match[0]);
}

describe('the deployment guide and pipeline examples', () => {
  let definitions: FunctionDefinition[];
  beforeAll(async () => {
    definitions = await loadFunctionDefinitions();
  });

  it('document every azd environment variable the template reads', () => {
    const parameters = read('infra', 'main.parameters.json');
    const variables = [...parameters.matchAll(/\$\{([A-Z][A-Z0-9_]*)\}/g)]
      .map((match) => match[1] ?? '')
      .filter((name) => !['AZURE_ENV_NAME', 'AZURE_LOCATION', 'AZURE_PRINCIPAL_ID'].includes(name));
    expect(variables.length).toBeGreaterThan(10);
    expect(variables.filter((name) => !guide.includes(`\`${name}\``))).toEqual([]);
  });

  it('use in their shell commands only variables the template outputs or the guide sets', () => {
    const outputs = readMainBicep().outputs;
    const blocks = shellBlocks(guide).join('\n');
    const assigned = new Set(
      [...blocks.matchAll(/(?:^|\s|export )([A-Z][A-Z0-9_]*)=|read -rs ([A-Z][A-Z0-9_]*)/gm)].map(
        (match) => match[1] ?? match[2] ?? '',
      ),
    );
    const used = [...blocks.matchAll(/\$\{?([A-Z][A-Z0-9_]*)\}?/g)].map((match) => match[1] ?? '');
    expect(used.filter((name) => !outputs.has(name) && !assigned.has(name))).toEqual([]);
  });

  it('show the OAuth callback URL output as the redirect URI to register', () => {
    expect(guide).toContain('--web-redirect-uris "$OAUTH_CALLBACK_URL"');
  });

  it('call `ucprov submit` only with options the CLI takes, and with --wait', () => {
    const commands = [
      ...submitCommands(shellBlocks(guide).join('\n')),
      ...Object.values(pipelines).flatMap(submitCommands),
    ];
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const command of commands) {
      expect(command).toContain('--wait');
      for (const [option] of command.matchAll(/--[a-z][a-z-]*/g))
        expect(submitHelp, command).toContain(option);
    }
  });

  it('configure the CLI with environment variables it reads, which the template outputs', () => {
    const mentioned = new Set(
      [guide, ...Object.values(pipelines), readFileSync(join(infraDirectory, 'main.bicep'), 'utf8')].flatMap(
        (text) => [...text.matchAll(/\bUCPROV_[A-Z_]+\b/g)].map((match) => match[0]),
      ),
    );
    expect([...mentioned].filter((name) => !cliSource.includes(`'${name}'`))).toEqual([]);
    for (const output of ['UCPROV_SERVICEBUS_NAMESPACE', 'UCPROV_QUEUE', 'UCPROV_FUNCTIONS_URL']) {
      expect(readMainBicep().outputs).toContain(output);
    }
  });

  it('read the key of the function that actually serves GET /api/requests/{id}', () => {
    const status = definitions.find(
      (definition) => definition.trigger === 'http' && definition.options.route === 'requests/{id}',
    );
    expect(status?.options).toMatchObject({ authLevel: 'function' });
    for (const text of [guide, ...Object.values(pipelines)]) {
      const names = [...text.matchAll(/--function-name (\w+)/g)].map((match) => match[1]);
      expect(names.length).toBeGreaterThan(0);
      expect(new Set(names)).toEqual(new Set([status?.name]));
    }
  });

  it('sign pipelines in with workload identity federation and store no Azure secret', () => {
    const github = pipelines['GitHub Actions'];
    expect(github).toMatch(/^ {2}id-token: write/m);
    expect(github).toMatch(
      /uses: azure\/login@v2\n\s+with:\n\s+client-id: .+\n\s+tenant-id: .+\n\s+subscription-id: .+\n/,
    );
    expect(pipelines['Azure DevOps']).toMatch(/task: AzureCLI@2/);
    for (const [name, text] of Object.entries(pipelines)) {
      expect(text, name).not.toMatch(
        /client-secret|creds:|CONNECTION_STRING|connection-string|AZURE_CLIENT_SECRET|secrets\./i,
      );
      // The job fails with ucprov's exit code after printing the provisioner's reasons.
      expect(text, name).toMatch(/--json > /);
      expect(text, name).toMatch(/\.reasons\[\]\?/);
      expect(text, name).toMatch(/exit "\$status"/);
    }
  });
});
