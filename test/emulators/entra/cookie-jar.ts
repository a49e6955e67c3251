interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

/** Just enough of a browser cookie store for one host: name, value and path matching (RFC 6265 §5.1.4). */
export class CookieJar {
  #cookies: StoredCookie[] = [];

  fetch(url: string): Promise<Response> {
    return this.#send(url, { method: 'GET' });
  }

  post(url: string, fields: Record<string, string>): Promise<Response> {
    return this.#send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async #send(url: string, init: { method: string; headers?: Record<string, string>; body?: string }) {
    const { pathname } = new URL(url);
    const cookie = this.#cookies
      .filter(
        (stored) =>
          pathname === stored.path ||
          pathname.startsWith(stored.path.endsWith('/') ? stored.path : `${stored.path}/`),
      )
      .map((stored) => `${stored.name}=${stored.value}`)
      .join('; ');
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, accept: 'text/html', ...(cookie ? { cookie } : {}) },
    });
    for (const header of response.headers.getSetCookie()) this.#store(header);
    return response;
  }

  #store(header: string): void {
    const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
    const separator = pair.indexOf('=');
    const name = pair.slice(0, separator);
    const value = pair.slice(separator + 1);
    const attribute = (key: string) =>
      attributes.find((part) => part.toLowerCase().startsWith(`${key}=`))?.slice(key.length + 1);
    const path = attribute('path') ?? '/';
    const expires = attribute('expires');
    const expired =
      attribute('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
    this.#cookies = this.#cookies.filter((stored) => !(stored.name === name && stored.path === path));
    if (!expired) this.#cookies.push({ name, value, path });
  }
}
