/**
 * Formats a location inside a request the way pipelines write it in JavaScript or jq: `auth.clientId`,
 * `grants[0].privileges[1]`; a key that is not an identifier is quoted (`connection["my key"]`). The
 * empty path is the request itself.
 */
export function formatJsonPath(segments: readonly PropertyKey[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment))
      path += path ? `.${segment}` : segment;
    else path += `[${JSON.stringify(String(segment))}]`;
  }
  return path;
}
