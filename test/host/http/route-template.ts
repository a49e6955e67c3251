/**
 * HTTP trigger route templates as the Functions host reads them (ASP.NET Core route syntax,
 * https://learn.microsoft.com/azure/azure-functions/functions-bindings-http-webhook-trigger#customize-the-http-endpoint
 * and https://learn.microsoft.com/aspnet/core/fundamentals/routing#route-template-reference):
 * `{name}`, optional `{name?}`, constrained `{name:int}`, catch-all `{*rest}`; literals match case-insensitively;
 * a trailing slash is ignored. Parameter values arrive URL-decoded in `request.params`.
 */
export interface RouteTemplate {
  /** The full template including the route prefix, e.g. `api/requests/{id}`. */
  template: string;
  /** Route values for a matching path (no query string), or undefined. */
  match(pathname: string): Record<string, string> | undefined;
  /** Sort key: lower sorts first (literal segments win over parameters, as in ASP.NET Core route precedence). */
  precedence: number[];
}

const constraintPatterns: Record<string, string> = {
  int: '-?\\d+',
  long: '-?\\d+',
  bool: '(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])',
  alpha: '[A-Za-z]+',
  guid: '[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}',
};

interface Parameter {
  name: string;
  optional: boolean;
  catchAll: boolean;
  pattern: string;
}

export class RouteTemplateError extends Error {
  override name = 'RouteTemplateError';
}

export function compileRouteTemplate(routePrefix: string, route: string): RouteTemplate {
  const template = [routePrefix, route]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  const names: string[] = [];
  const precedence: number[] = [];
  let source = '';
  const segments = template === '' ? [] : template.split('/');
  segments.forEach((segment, index) => {
    if (segment === '') throw new RouteTemplateError(`Route '${route}' has an empty segment ('//').`);
    const parts = tokenize(segment, route);
    const only = parts.length === 1 && typeof parts[0] !== 'string' ? parts[0] : undefined;
    if (only?.catchAll && index !== segments.length - 1) {
      throw new RouteTemplateError(`Route '${route}': a catch-all parameter must be the last segment.`);
    }
    if (only && (only.optional || only.catchAll)) {
      // A whole optional segment takes its slash with it: `requests/{id?}` matches `requests` too.
      names.push(only.name);
      source += `(?:/(${only.pattern}))?`;
      precedence.push(only.catchAll ? 5 : 4);
      return;
    }
    source += '/';
    for (const part of parts) {
      if (typeof part === 'string') {
        source += escapeRegExp(part);
      } else {
        if (part.optional || part.catchAll) {
          throw new RouteTemplateError(
            `Route '${route}': '{${part.name}?}' or a catch-all must be a whole segment.`,
          );
        }
        names.push(part.name);
        source += `(${part.pattern})`;
      }
    }
    precedence.push(parts.every((part) => typeof part === 'string') ? 1 : only?.pattern === '[^/]+' ? 3 : 2);
  });
  const expression = new RegExp(`^${source}/?$`, 'i');
  return {
    template,
    precedence,
    match(pathname) {
      const found = expression.exec(pathname);
      if (!found) return undefined;
      const values: Record<string, string> = {};
      try {
        names.forEach((name, index) => {
          const raw = found[index + 1];
          if (raw !== undefined && raw !== '') values[name] = decodeURIComponent(raw);
        });
      } catch {
        return undefined; // malformed percent-encoding cannot be a route value
      }
      return values;
    },
  };
}

/** Orders templates so that the most specific one is tried first. */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  for (let i = 0; i < Math.max(a.precedence.length, b.precedence.length); i++) {
    const left = a.precedence[i] ?? 0;
    const right = b.precedence[i] ?? 0;
    if (left !== right) return left - right;
  }
  return 0;
}

function tokenize(segment: string, route: string): Array<string | Parameter> {
  const parts: Array<string | Parameter> = [];
  let rest = segment;
  while (rest !== '') {
    const open = rest.indexOf('{');
    if (open === -1) {
      if (rest.includes('}')) throw new RouteTemplateError(`Route '${route}' has an unmatched '}'.`);
      parts.push(rest);
      break;
    }
    if (open > 0) parts.push(rest.slice(0, open));
    const close = rest.indexOf('}', open);
    if (close === -1) throw new RouteTemplateError(`Route '${route}' has an unmatched '{'.`);
    parts.push(parseParameter(rest.slice(open + 1, close), route));
    rest = rest.slice(close + 1);
    if (rest.startsWith('{')) {
      throw new RouteTemplateError(`Route '${route}': two parameters need a literal between them.`);
    }
  }
  return parts;
}

function parseParameter(body: string, route: string): Parameter {
  const match = /^(\*{1,2})?([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?(\?)?$/.exec(body);
  if (!match) {
    throw new RouteTemplateError(
      `Route '${route}': '{${body}}' is not a parameter this host supports ({name}, {name?}, {name:int}, {*name}).`,
    );
  }
  const [, star, name = '', constraint, optional] = match;
  let pattern = star ? '.*' : '[^/]+';
  if (constraint !== undefined) {
    const constrained = constraintPatterns[constraint.toLowerCase()];
    if (!constrained) {
      throw new RouteTemplateError(
        `Route '${route}': constraint '${constraint}' is not supported here (supported: ${Object.keys(constraintPatterns).join(', ')}).`,
      );
    }
    pattern = constrained;
  }
  return { name, optional: optional !== undefined, catchAll: star !== undefined, pattern };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
