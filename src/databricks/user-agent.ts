import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const productName = 'uc-connection-provisioner';

/**
 * `uc-connection-provisioner/<version> node/<version>`, so workspace admins can tell our calls apart in
 * audit logs. The version comes from the app's package.json, found by walking up from this file (the
 * same walk works from `src/` under tests and from `dist/src/` when deployed).
 */
export const userAgent = `${productName}/${findOwnVersion(import.meta.dirname)} node/${process.versions.node}`;

function findOwnVersion(start: string): string {
  for (let directory = start; ; directory = dirname(directory)) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === productName && manifest.version) return manifest.version;
    } catch {
      // no package.json here; keep walking
    }
    if (dirname(directory) === directory) return 'unknown';
  }
}
