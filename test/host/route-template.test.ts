import { describe, expect, it } from 'vitest';
import { compareRoutePrecedence, compileRouteTemplate, RouteTemplateError } from './http/route-template.js';

describe('HTTP route templates', () => {
  it.each([
    ['requests/{id}', '/api/requests/abc', { id: 'abc' }],
    ['requests/{id}', '/api/requests/a%2Fb%20c', { id: 'a/b c' }],
    ['requests/{id}', '/api/requests', undefined],
    ['requests/{id}', '/api/requests/abc/more', undefined],
    ['rotations/{tenantId}/{clientId}', '/api/rotations/t1/c2', { tenantId: 't1', clientId: 'c2' }],
    ['things/{name?}', '/api/things', {}],
    ['things/{name?}', '/api/things/x', { name: 'x' }],
    ['items/{n:int}', '/api/items/-7', { n: '-7' }],
    ['items/{n:int}', '/api/items/seven', undefined],
    [
      'ids/{id:guid}',
      '/api/ids/9b2a3c1e-1234-4d5e-8f90-123456789abc',
      { id: '9b2a3c1e-1234-4d5e-8f90-123456789abc' },
    ],
    ['files/{*path}', '/api/files/a/b/c.txt', { path: 'a/b/c.txt' }],
    ['files/{name}.{ext}', '/api/files/report.pdf', { name: 'report', ext: 'pdf' }],
    ['Signin', '/api/signin/', {}],
  ])('%s matches %s as %j', (route, path, expected) => {
    expect(compileRouteTemplate('api', route).match(path)).toEqual(expected);
  });

  it('works without a route prefix', () => {
    expect(compileRouteTemplate('', 'requests/{id}').match('/requests/1')).toEqual({ id: '1' });
  });

  it('orders literal segments before constrained and plain parameters', () => {
    const routes = ['items/{name}', 'items/latest', 'items/{n:int}', 'items/{*rest}'].map((route) =>
      compileRouteTemplate('api', route),
    );
    expect(routes.sort(compareRoutePrecedence).map((route) => route.template)).toEqual([
      'api/items/latest',
      'api/items/{n:int}',
      'api/items/{name}',
      'api/items/{*rest}',
    ]);
  });

  it.each([
    ['a/{id', /unmatched '\{'/],
    ['a/{x}{y}', /literal between them/],
    ['a/{id:minlength(3)}', /not a parameter this host supports/],
    ['a/{id:datetime}', /constraint 'datetime' is not supported/],
    ['{*rest}/x', /catch-all parameter must be the last segment/],
  ])('rejects %s precisely', (route, message) => {
    expect(() => compileRouteTemplate('api', route)).toThrow(RouteTemplateError);
    expect(() => compileRouteTemplate('api', route)).toThrow(message);
  });
});
