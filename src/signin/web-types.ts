/**
 * The slice of an HTTP request and response the sign-in endpoints use, independent of the host:
 * `@azure/functions` `HttpRequest` satisfies `WebRequest`, and `PageResponse` is a valid
 * `HttpResponseInit` (its cookies have the `Cookie` shape of @azure/functions types/http.d.ts).
 */
export interface WebRequest {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface ResponseCookie {
  name: string;
  value: string;
  path: string;
  secure: true;
  httpOnly: true;
  sameSite: 'Strict' | 'Lax' | 'None';
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  cookies?: ResponseCookie[];
}
