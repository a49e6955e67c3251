import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError } from '../../src/config/settings.js';
import { redirectUriFor, redirectUriProblems } from '../../src/signin/redirect-uri.js';

const baseSettings = {
  DATABRICKS_ALLOWED_WORKSPACES: 'https://adb-1.2.azuredatabricks.net',
  KEY_VAULT_URL: 'https://vault.vault.azure.net',
  STATE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
};

function problemsWith(publicBaseUrl: string): string[] {
  try {
    parseSettings({ ...baseSettings, PUBLIC_BASE_URL: publicBaseUrl });
    return [];
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return error.problems;
  }
}

describe('R16: the OAuth redirect URI', () => {
  it('R16: derives /api/oauth/callback from the public base URL, with or without a trailing slash or path prefix', () => {
    expect(redirectUriFor('https://prov.azurewebsites.net')).toBe(
      'https://prov.azurewebsites.net/api/oauth/callback',
    );
    expect(redirectUriFor('https://prov.azurewebsites.net/')).toBe(
      'https://prov.azurewebsites.net/api/oauth/callback',
    );
    expect(redirectUriFor('https://gw.contoso.com/provisioner')).toBe(
      'https://gw.contoso.com/provisioner/api/oauth/callback',
    );
  });

  it('R16: accepts https, and http only for localhost and 127.0.0.1', () => {
    for (const ok of [
      'https://prov.azurewebsites.net/api/oauth/callback',
      'http://localhost:7071/api/oauth/callback',
      'http://127.0.0.1:7071/api/oauth/callback',
    ]) {
      expect(redirectUriProblems(ok)).toEqual([]);
    }
    expect(redirectUriProblems('http://prov.azurewebsites.net/api/oauth/callback')).toEqual([
      'must use https (http is allowed only for localhost and 127.0.0.1)',
    ]);
  });

  it("R16: refuses more than 256 characters, wildcards, the characters ! $ ' ( ) , ; and a query or fragment", () => {
    expect(redirectUriProblems(`https://a.example/${'x'.repeat(240)}`)).toEqual([
      'must be at most 256 characters, is 258',
    ]);
    expect(redirectUriProblems('https://*.example/cb')).toContain('must not contain a wildcard (*)');
    expect(redirectUriProblems("https://a.example/c!b$('),;")).toContain("must not contain ! $ ' ( ) , ;");
    expect(redirectUriProblems('https://a.example/cb?x=1')).toEqual(['must not have a query string']);
    expect(redirectUriProblems('https://a.example/cb#x')).toEqual(['must not have a fragment']);
    expect(redirectUriProblems('not a url')).toEqual(["'not a url' is not an absolute URL"]);
  });

  it('R16: startup fails on a PUBLIC_BASE_URL whose redirect URI Entra would refuse, naming the setting and an example', () => {
    expect(problemsWith('http://prov.azurewebsites.net')).toEqual([
      'PUBLIC_BASE_URL gives the OAuth redirect URI http://prov.azurewebsites.net/api/oauth/callback, which Microsoft Entra ID refuses: it must use https (http is allowed only for localhost and 127.0.0.1), e.g. PUBLIC_BASE_URL=https://my-provisioner.azurewebsites.net',
    ]);
    expect(problemsWith("https://prov.example/it's")).toEqual([
      "PUBLIC_BASE_URL gives the OAuth redirect URI https://prov.example/it's/api/oauth/callback, which Microsoft Entra ID refuses: it must not contain ', e.g. PUBLIC_BASE_URL=https://my-provisioner.azurewebsites.net",
    ]);
    expect(problemsWith('http://127.0.0.1:7071')).toEqual([]);
    expect(
      parseSettings({ ...baseSettings, PUBLIC_BASE_URL: 'https://prov.azurewebsites.net/' }).signIn
        .publicBaseUrl,
    ).toBe('https://prov.azurewebsites.net');
  });
});
