/** The small HTTP pieces on their own: router, request targets, CORS policy, JSON serialisation. */
import { describe, expect, it } from 'vitest';
import { createCorsPolicy } from '../../src/http/cors.js';
import { HttpError } from '../../src/http/errors.js';
import { serializeJson } from '../../src/http/json.js';
import { parseRequestTarget, Router } from '../../src/http/router.js';

describe('Router', () => {
  const router = new Router<string>()
    .add('GET', '/a/items', 'list')
    .add('POST', '/a/items', 'create')
    .add('GET', '/a/items/:id', 'get')
    .add('DELETE', '/a/items/:id', 'delete')
    .add('GET', '/a/items/:id/parts/:part', 'part');

  it('matches methods and params', () => {
    expect(router.match('GET', '/a/items')).toMatchObject({ kind: 'found', handler: 'list', params: {} });
    expect(router.match('HEAD', '/a/items/7')).toMatchObject({ kind: 'found', handler: 'get', params: { id: '7' } });
    expect(router.match('GET', '/a/items/x%20y/parts/p')).toMatchObject({ params: { id: 'x y', part: 'p' } });
    expect(router.match('PUT', '/a/items/7')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['GET', 'HEAD', 'DELETE', 'OPTIONS'],
    });
    expect(router.match('GET', '/a/items//parts/p')).toEqual({ kind: 'not-found' });
    expect(router.match('GET', '/a/other')).toEqual({ kind: 'not-found' });
    expect(router.allowedMethods('/a/items')).toEqual(['GET', 'HEAD', 'POST', 'OPTIONS']);
  });

  it('refuses a route registered twice and lists routes', () => {
    expect(() => new Router<string>().add('GET', '/x', 'a').add('GET', '/x', 'b')).toThrow('registered twice');
    expect(router.routes.map((r) => `${r.method} ${r.pattern}`)).toContain('GET /a/items/:id/parts/:part');
  });

  it('answers 400 for malformed percent-encoding', () => {
    expect(() => router.match('GET', '/a/items/%zz')).toThrow(HttpError);
  });
});

describe('parseRequestTarget', () => {
  it.each([
    ['/api/v1/monitors?tag=a&tag=b', '/api/v1/monitors', 'tag=a&tag=b'],
    ['/api/v1/monitors/', '/api/v1/monitors', ''],
    ['/', '/', ''],
    ['http://proxy.example/api/v1/x?y=1', '/api/v1/x', 'y=1'],
    ['/api/v1/x#frag', '/api/v1/x', ''],
    [undefined, '/', ''],
  ])('%s', (target, path, query) => {
    const parsed = parseRequestTarget(target);
    expect(parsed.path).toBe(path);
    expect(parsed.query.toString()).toBe(query);
  });
});

describe('createCorsPolicy', () => {
  it('normalises configured origins and ignores invalid ones', () => {
    const cors = createCorsPolicy(['HTTPS://Status.Example.com/', 'not an origin', 'ftp://x']);
    expect(cors.headersFor('https://status.example.com')['Access-Control-Allow-Origin']).toBe(
      'https://status.example.com',
    );
    expect(cors.headersFor('ftp://x')['Access-Control-Allow-Origin']).toBeUndefined();
    expect(cors.headersFor('null')['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('only "*" gives no Vary (the answer does not depend on the origin)', () => {
    expect(createCorsPolicy(['*']).headersFor('https://a.example')).toEqual({ 'Access-Control-Allow-Origin': '*' });
    expect(createCorsPolicy(['*']).headersFor(undefined)).toEqual({});
  });
});

describe('serializeJson', () => {
  it('escapes markup and line separators, and stays the same JSON value', () => {
    const value = { message: '<img src=x onerror=alert(1)> & \u2028\u2029 "quoted"' };
    const text = serializeJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
