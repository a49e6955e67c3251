import { DatabricksClient, type DatabricksClientOptions } from './databricks-client.js';

/**
 * One `DatabricksClient` per workspace origin for the life of the host process, so each workspace keeps
 * one connection pool and one cached access token across function invocations.
 */
export class DatabricksClientCache {
  readonly #options: Omit<DatabricksClientOptions, 'workspaceUrl'>;
  readonly #clients = new Map<string, DatabricksClient>();

  constructor(options: Omit<DatabricksClientOptions, 'workspaceUrl'>) {
    this.#options = options;
  }

  /** The client for this workspace; URLs that differ only in case or a trailing slash share one. */
  get(workspaceUrl: string): DatabricksClient {
    const key = URL.canParse(workspaceUrl) ? new URL(workspaceUrl).origin : workspaceUrl;
    let client = this.#clients.get(key);
    if (!client) {
      client = new DatabricksClient({ ...this.#options, workspaceUrl });
      this.#clients.set(client.workspaceUrl, client);
    }
    return client;
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    await Promise.all(clients.map((client) => client.close()));
  }
}
