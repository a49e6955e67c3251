import type { TestProject } from 'vitest/node';
import { startAzurite } from './emulators/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    storageConnectionString: string;
  }
}

/** Azurite is the one shared service: a child process started once per run, on free-standing ports. */
export default async function setup(project: TestProject) {
  const azurite = await startAzurite({ blobPort: 0, queuePort: 0, tablePort: 0 });
  project.provide('storageConnectionString', azurite.connectionString);
  return () => azurite.stop();
}
