import type { WebRequest } from './web-types.js';

/** Whether the request body is `application/x-www-form-urlencoded` (parameters such as charset allowed). */
export function isFormPost(request: WebRequest): boolean {
  const mediaType = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  return request.method.toUpperCase() === 'POST' && mediaType === 'application/x-www-form-urlencoded';
}

/** The form fields; a repeated field counts as absent, so no value is ever picked from several. */
export async function readForm(request: WebRequest): Promise<{ get(name: string): string | undefined }> {
  const fields = new URLSearchParams(await request.text());
  return {
    get(name) {
      const values = fields.getAll(name);
      return values.length === 1 ? values[0] : undefined;
    },
  };
}
