import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { HEALTH_JSON_MEDIA_TYPE, toHealthJson } from '../src/formats/health-json.js';
import { toProbeText } from '../src/formats/probe-text.js';
import { toVigilJson } from '../src/formats/vigil-json.js';
import { runProbe } from '../src/probe.js';
import {
  type HealthEndpointCheckOptions,
  healthEndpointCheck,
  parseHealthAnswer,
} from '../src/probes/health-endpoint.js';
import { type CheckReport, type HealthReport, reportStatus } from '../src/report.js';
import type { Status } from '../src/status.js';
import { unusedPort } from './support/net.js';
import { startHttpServer } from './support/tls.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });
const ALL = { components: true, details: true };

/** A report as @vigil/health builds it, so the bodies below are exactly what Vigil serves. */
function report(checks: Array<[name: string, status: Status, critical?: boolean]>): HealthReport {
  const reports: CheckReport[] = checks.map(([name, status, critical = true]) => ({
    name,
    kind: 'custom',
    critical,
    componentType: 'component',
    observation: {
      status,
      durationMs: 1.5,
      startedAt: Date.UTC(2030, 0, 1),
      timedOut: false,
      ...(status !== 'healthy' ? { error: `${name} is ${status}` } : {}),
    },
  }));
  return {
    status: reportStatus(reports),
    timestamp: Date.UTC(2030, 0, 1),
    responseTimeMs: 3,
    service: {},
    checks: reports,
  };
}

interface Canned {
  status: number;
  type: string;
  body: string;
}

const routes: Record<string, Canned> = {};
function route(path: string, status: number, type: string, body: string): string {
  routes[path] = { status, type, body };
  return path;
}
const json = (path: string, status: number, body: unknown, type = 'application/json') =>
  route(path, status, type, JSON.stringify(body));

let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const server = await startHttpServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    const canned = routes[new URL(req.url ?? '/', 'http://x').pathname];
    if (!canned) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(canned.status, { 'content-type': canned.type });
    res.end(canned.body);
  });
  base = server.url;
  close = server.close;
});

afterAll(async () => {
  await close();
});

function check(path: string, options: Partial<HealthEndpointCheckOptions> = {}): Check {
  return healthEndpointCheck({ url: `${base}${path}`, ...options });
}

describe('health monitor: Vigil JSON (the seed shape)', () => {
  it('is healthy when everything is, recording each component', async () => {
    const path = json(
      '/vigil/ok',
      200,
      toVigilJson(
        report([
          ['database', 'healthy'],
          ['redis_cache', 'healthy'],
        ]),
        ALL,
      ),
    );
    const observation = await observe(check(path));
    expect(observation.status).toBe('healthy');
    expect(observation.error).toBeUndefined();
    expect(observation.facts?.components).toEqual({ database: 'healthy', redis_cache: 'healthy' });
    expect(observation.details).toMatchObject({ format: 'vigil', endpoint_status: 'healthy', status_code: 200 });
  });

  it('reads a 503: unhealthy, naming the failing components', async () => {
    const body = toVigilJson(
      report([
        ['database', 'unhealthy'],
        ['redis_cache', 'unhealthy'],
        ['disk', 'healthy'],
      ]),
      ALL,
    );
    const observation = await observe(check(json('/vigil/down', 503, body)));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe('unhealthy: database, redis_cache (status 503)');
    expect(observation.facts?.components).toEqual({ database: 'unhealthy', redis_cache: 'unhealthy', disk: 'healthy' });
    expect(observation.facts?.statusCode).toBe(503);
  });

  it('is degraded when a component is degraded', async () => {
    const body = toVigilJson(
      report([
        ['database', 'healthy'],
        ['scheduler', 'degraded'],
      ]),
      ALL,
    );
    const observation = await observe(check(json('/vigil/degraded', 200, body)));
    expect(observation.status).toBe('degraded');
    expect(observation.error).toBe('degraded: scheduler');
  });

  it('is degraded, not unhealthy, when only a non-critical component fails', async () => {
    const body = toVigilJson(
      report([
        ['database', 'healthy'],
        ['mailer', 'unhealthy', false],
      ]),
      ALL,
    );
    expect(body.status).toBe('degraded');
    const observation = await observe(check(json('/vigil/noncritical', 200, body)));
    expect(observation.status).toBe('degraded');
    expect(observation.error).toBe('unhealthy: mailer');
  });

  it('makes a degraded component count even when the endpoint says healthy', async () => {
    const path = json('/vigil/inconsistent', 200, { status: 'healthy', checks: { queue: { status: 'degraded' } } });
    expect((await observe(check(path))).status).toBe('degraded');
  });

  it('reads an answer without components (details hidden)', async () => {
    const body = toVigilJson(report([['database', 'healthy']]), { components: false, details: false });
    const observation = await observe(check(json('/vigil/bare', 200, body)));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.components).toEqual({});
  });
});

describe('health monitor: application/health+json', () => {
  it('reads pass/warn/fail, with components keyed component:measurement', async () => {
    const body = toHealthJson(
      report([
        ['postgres', 'unhealthy'],
        ['redis', 'healthy'],
        ['disk', 'degraded'],
      ]),
      ALL,
    );
    const path = json('/hj/fail', 503, body, HEALTH_JSON_MEDIA_TYPE);
    const observation = await observe(check(path));
    expect(observation.status).toBe('unhealthy');
    expect(observation.facts?.components).toEqual({ postgres: 'unhealthy', redis: 'healthy', disk: 'degraded' });
    expect(observation.error).toBe('unhealthy: postgres; degraded: disk (status 503)');
    expect(observation.details).toMatchObject({ format: 'health+json', endpoint_status: 'unhealthy' });
  });

  it('takes the worst of several measurements of one component', async () => {
    const path = json(
      '/hj/measurements',
      200,
      {
        status: 'warn',
        checks: {
          'cassandra:responseTime': [{ status: 'pass' }],
          'cassandra:connections': [{ status: 'warn' }],
          uptime: [{ status: 'pass' }],
        },
      },
      'application/health+json; charset=utf-8',
    );
    const observation = await observe(check(path));
    expect(observation.status).toBe('degraded');
    expect(observation.facts?.components).toEqual({ cassandra: 'degraded', uptime: 'healthy' });
  });

  it("shows the endpoint's own output when no component is named", async () => {
    const path = json('/hj/output', 200, { status: 'fail', output: 'replica lag too high' }, HEALTH_JSON_MEDIA_TYPE);
    const observation = await observe(check(path));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe('the endpoint reports unhealthy: replica lag too high');
  });
});

describe('health monitor: Spring Boot actuator', () => {
  it('reads UP with components', async () => {
    const path = json('/spring/up', 200, {
      status: 'UP',
      components: {
        db: { status: 'UP', details: { database: 'PostgreSQL' } },
        diskSpace: { status: 'UP' },
        ping: { status: 'UP' },
      },
    });
    const observation = await observe(check(path));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.components).toEqual({ db: 'healthy', diskSpace: 'healthy', ping: 'healthy' });
    expect(observation.details).toMatchObject({ format: 'spring' });
  });

  it('reads DOWN and OUT_OF_SERVICE behind a 503', async () => {
    const path = json('/spring/down', 503, {
      status: 'DOWN',
      components: { db: { status: 'DOWN' }, rabbit: { status: 'OUT_OF_SERVICE' }, ping: { status: 'UP' } },
    });
    const observation = await observe(check(path));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe('unhealthy: db, rabbit (status 503)');
  });

  it('treats UNKNOWN as degraded, and reads Boot 2.0 `details`', async () => {
    const path = json('/spring/unknown', 200, { status: 'UP', details: { custom: { status: 'UNKNOWN' } } });
    const observation = await observe(check(path));
    expect(observation.status).toBe('degraded');
    expect(observation.error).toBe('degraded: custom');
  });
});

describe('health monitor: Kubernetes ?verbose text', () => {
  it('reads [+] and [-] lines', async () => {
    const text = toProbeText(
      'readyz',
      [
        { name: 'ping', ok: true },
        { name: 'etcd', ok: false, reason: 'connection refused' },
        { name: 'informer-sync', ok: true, excluded: true },
      ],
      { verbose: true, showReasons: false },
    );
    const observation = await observe(check(route('/k8s/failed', 500, 'text/plain; charset=utf-8', text)));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe('unhealthy: etcd (status 500)');
    expect(observation.facts?.components).toEqual({ ping: 'healthy', etcd: 'unhealthy', 'informer-sync': 'healthy' });
    expect(observation.details).toMatchObject({ format: 'kubernetes' });
  });

  it('reads a plain "ok"', async () => {
    const observation = await observe(check(route('/k8s/ok', 200, 'text/plain', 'ok\n')));
    expect(observation.status).toBe('healthy');
  });
});

describe('health monitor: bad answers and faults', () => {
  it('invalid JSON: unhealthy with a clear error', async () => {
    const path = route('/bad/json', 200, 'application/json', '{"status": "healthy", "checks": {');
    const observation = await observe(check(path));
    expect(observation).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(observation.error).toBe('health endpoint answered invalid JSON');
  });

  it('invalid JSON behind a 503: both the status and the body are named', async () => {
    const observation = await observe(check(route('/bad/json503', 503, 'application/json', '<html>oops</html>')));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(
      `GET ${base}/bad/json503 returned status 503 (expected 2xx); health endpoint answered invalid JSON`,
    );
  });

  it('an HTML page: neither JSON nor Kubernetes text', async () => {
    const observation = await observe(check(route('/bad/html', 200, 'text/html', '<html><body>Welcome</body></html>')));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(
      'health endpoint answered neither JSON nor Kubernetes ?verbose text (content-type text/html)',
    );
  });

  it('a body cut at the limit says so', async () => {
    const big = {
      status: 'healthy',
      checks: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`, { status: 'healthy' }])),
    };
    const observation = await observe(check(json('/bad/cut', 200, big), { maxBodyBytes: 100 }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(
      'health endpoint answered invalid JSON (the body was cut at 100 bytes: raise maxBodyBytes)',
    );
  });

  it('a forced format that does not match', async () => {
    const path = json('/bad/forced', 200, { status: 'UP' });
    const observation = await observe(check(path, { format: 'vigil' }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(
      'health endpoint answered no Vigil health JSON: expected a "status" of healthy, degraded or unhealthy',
    );
    expect((await observe(check(path, { format: 'spring' }))).status).toBe('healthy');
  });

  it('refused: unhealthy with ECONNREFUSED', async () => {
    const port = await unusedPort();
    const observation = await observe(healthEndpointCheck({ url: `http://127.0.0.1:${port}/health` }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/ECONNREFUSED/);
  });

  it('keeps keyword and conditions of an http monitor', async () => {
    const path = json('/vigil/conditions', 200, { status: 'healthy', checks: { db: { status: 'healthy' } } });
    const observation = await observe(check(path, { conditions: ['[BODY].checks.db.status == unhealthy'] }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe('condition failed: [BODY].checks.db.status (healthy) == unhealthy');
  });
});

describe('parseHealthAnswer', () => {
  it.each([
    ['{"status":"healthy"}', 'application/json', 'vigil'],
    ['{"status":"pass"}', 'application/json', 'health+json'],
    ['{"status":"UP"}', 'application/health+json', 'health+json'],
    ['{"status":"healthy"}', 'application/health+json', 'vigil'],
    ['{"status":"UP"}', 'application/vnd.spring-boot.actuator.v3+json', 'spring'],
    ['{"status":"CUSTOM","components":{}}', 'application/json', 'spring'],
    ['[+]ping ok\nlivez check passed\n', 'text/plain', 'kubernetes'],
    ['  {"status":"degraded"}  ', undefined, 'vigil'],
  ])('detects %s (%s) as %s', (body, type, format) => {
    expect(parseHealthAnswer(body, type)).toMatchObject({ format });
  });

  it.each([
    ['', 'health endpoint answered an empty body'],
    ['[1,2]', 'health endpoint answered JSON that is not an object'],
    ['{"status":"constructor"}', 'health endpoint answered JSON in no known format'],
    ['{"ok":true}', 'health endpoint answered JSON in no known format'],
    ['all good', 'health endpoint answered neither JSON nor Kubernetes ?verbose text'],
  ])('explains why %j cannot be read', (body, error) => {
    const parsed = parseHealthAnswer(body, undefined);
    expect('error' in parsed && parsed.error.startsWith(error)).toBe(true);
  });

  it('does not mistake prototype names for statuses', () => {
    expect(parseHealthAnswer('{"status":"UP","components":{"x":{"status":"toString"}}}', undefined)).toMatchObject({
      components: { x: { status: 'degraded' } },
    });
    expect(parseHealthAnswer('{"status":"__proto__"}', undefined, 'health+json')).toEqual({
      error: 'health endpoint answered no application/health+json: expected a "status" of pass, warn or fail',
    });
  });
});

describe('healthEndpointCheck configuration', () => {
  it('rejects an unknown format', () => {
    expect(() => healthEndpointCheck({ url: 'http://127.0.0.1/health', format: 'xml' as never })).toThrow(TypeError);
  });

  it('is a component named health by default', () => {
    expect(healthEndpointCheck({ url: 'http://127.0.0.1/health' })).toMatchObject({ name: 'health', kind: 'health' });
  });
});
