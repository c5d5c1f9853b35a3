/**
 * /api/v1/status-incidents: the incidents status pages show, written by people. Who may read (published ones
 * for anyone, drafts for token holders) and write (write tokens), the validation of bodies, the lifecycle through
 * updates, changes, deletion and the audit log, on the harness (the real SQLite store, the real registry).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { monitorImpactFor } from '../../src/api/status-incidents.js';
import { MonitorError } from '../../src/registry/errors.js';
import { NOW, startApi, type TestApi } from './harness.js';

let api: TestApi;

beforeEach(async () => {
  api = await startApi();
});

afterEach(() => api.close());

const PATH = '/api/v1/status-incidents';
const iso = (ms: number) => new Date(ms).toISOString();

/** Creates one with the write token (201 expected). */
async function create(body: Record<string, unknown>): Promise<any> {
  const response = await api.request(PATH, { token: api.writeToken, json: { title: 'Checkout errors', message: 'Looking into it.', ...body } });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const update = (id: number, json: unknown, token = api.writeToken) => api.request(`${PATH}/${id}/updates`, { token, json });
const patch = (id: number, json: unknown, token = api.writeToken) => api.request(`${PATH}/${id}`, { method: 'PATCH', token, json });

describe('creating', () => {
  it('answers 201 with the incident, its first update and Location; defaults: investigating, major, published', async () => {
    const response = await api.request(PATH, { token: api.writeToken, json: { title: 'Checkout errors', message: 'Looking into it.' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`${PATH}/${response.body.id}`);
    expect(response.body).toEqual({
      id: expect.any(Number),
      title: 'Checkout errors',
      status: 'investigating',
      impact: 'major',
      published: true,
      monitors: [],
      created_at: iso(NOW),
      updated_at: iso(NOW),
      resolved_at: null,
      source_incident: null,
      updates: [{ id: expect.any(Number), at: iso(NOW), status: 'investigating', message: 'Looking into it.', author: 'writer' }],
    });
    expect(api.service.calls).toEqual([`create status incident ${response.body.id}`]);
    // What was stored is what was answered.
    expect((await api.request(`${PATH}/${response.body.id}`, { token: api.readToken })).body).toEqual(response.body);
  });

  it('takes every field; trims the title and the message', async () => {
    const created = await create({
      title: '  Payments delayed  ',
      message: ' Card payments are slow. ',
      status: 'identified',
      impact: 'minor',
      monitors: [{ id: 'shop-api', impact: 'partial' }],
      published: false,
    });
    expect(created).toMatchObject({
      title: 'Payments delayed',
      status: 'identified',
      impact: 'minor',
      published: false,
      monitors: [{ id: 'shop-api', impact: 'partial' }],
      updates: [{ status: 'identified', message: 'Card payments are slow.' }],
    });
  });

  it('derives the impact of monitors named by id from the incident: major for critical and major, degraded otherwise', async () => {
    expect(['critical', 'major', 'minor', 'none'].map((impact) => monitorImpactFor(impact as any))).toEqual(['major', 'major', 'degraded', 'degraded']);
    for (const [impact, derived] of [
      ['critical', 'major'],
      ['major', 'major'],
      ['minor', 'degraded'],
      ['none', 'degraded'],
    ] as const) {
      const created = await create({ impact, monitors: ['shop-api', { id: 'orders-db', impact: 'maintenance' }, { id: 'nightly-backup' }] });
      expect(created.monitors, impact).toEqual([
        { id: 'shop-api', impact: derived },
        { id: 'orders-db', impact: 'maintenance' },
        { id: 'nightly-backup', impact: derived },
      ]);
    }
  });

  it('accepts a title of 200 characters and a message of 10,000', async () => {
    const created = await create({ title: 't'.repeat(200), message: 'm'.repeat(10_000) });
    expect(created.title).toHaveLength(200);
    expect(created.updates[0].message).toHaveLength(10_000);
  });
});

describe('validation', () => {
  const refused = async (json: unknown, message: string, issues?: Array<{ path: string; message: string }>) => {
    const response = await api.request(PATH, { token: api.writeToken, json });
    expect(response.status, response.text).toBe(400);
    expect(response.body.error.code).toBe('bad_request');
    expect(response.body.error.message).toBe(message);
    if (issues) expect(response.body.error.issues).toEqual(issues);
  };

  it('says which field is wrong and why, for each field, with 400', async () => {
    await refused({}, 'invalid status incident: title: required; message: required', [
      { path: 'title', message: 'required' },
      { path: 'message', message: 'required' },
    ]);
    await refused({ title: 't'.repeat(201), message: 'x' }, 'invalid status incident: title: at most 200 characters');
    await refused({ title: '   ', message: 'x' }, 'invalid status incident: title: must not be empty');
    await refused({ title: 'x', message: 'm'.repeat(10_001) }, 'invalid status incident: message: at most 10000 characters');
    await refused({ title: 1, message: 'x' }, 'invalid status incident: title: expected a string');
    await refused(
      { title: 'x', message: 'x', status: 'fixed' },
      'invalid status incident: status: expected one of investigating, identified, monitoring, resolved, got "fixed"',
    );
    await refused({ title: 'x', message: 'x', impact: 'huge' }, 'invalid status incident: impact: expected one of none, minor, major, critical, got "huge"');
    await refused({ title: 'x', message: 'x', published: 'yes' }, 'invalid status incident: published: expected true or false');
    await refused({ title: 'x', message: 'x', severity: 'high' }, 'invalid status incident: severity: unknown key', [
      { path: 'severity', message: 'unknown key' },
    ]);
    await refused({ title: 'x', message: 'x', monitors: 'shop-api' }, 'invalid status incident: monitors: expected an array of monitors');
    await refused(
      { title: 'x', message: 'x', monitors: [{ id: 'shop-api', impact: 'bad' }, { id: 'shop-api', extra: 1 }, 5, {}] },
      'invalid status incident: monitors[0].impact: expected one of degraded, partial, major, maintenance, got "bad"; monitors[1].extra: unknown key; ' +
        'monitors[2]: expected a monitor id or { "id", "impact" }; monitors[3].id: required',
    );
    await refused(['x'], 'invalid status incident: the body must be a JSON object');
    expect(api.service.calls).toEqual([]);
  });

  it('refuses unknown monitors (the service checks them) and monitors listed twice, naming the field', async () => {
    await refused(
      { title: 'x', message: 'x', monitors: ['shop-api', 'nope'] },
      'invalid status incident: monitors[1]: no monitor with id "nope"',
      [{ path: 'monitors[1]', message: 'no monitor with id "nope"' }],
    );
    await refused({ title: 'x', message: 'x', monitors: ['shop-api', { id: 'shop-api', impact: 'major' }] }, 'invalid status incident: monitors[1]: "shop-api" is listed twice');
    expect(api.service.calls).toEqual([]);
  });

  it('refuses a body that is not JSON like every route', async () => {
    const response = await api.request(PATH, { token: api.writeToken, rawBody: 'title=x', headers: { 'Content-Type': 'text/plain' } });
    expect(response.status).toBe(415);
    const broken = await api.request(PATH, { token: api.writeToken, rawBody: '{"title":', headers: { 'Content-Type': 'application/json' } });
    expect(broken.status).toBe(400);
  });

  it('an update needs a message; a status must be one of the lifecycle', async () => {
    const { id } = await create({});
    const missing = await update(id, { status: 'identified' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('invalid status incident: message: required');
    const wrong = await update(id, { status: 'done', message: 'x' });
    expect(wrong.body.error.message).toBe('invalid status incident: status: expected one of investigating, identified, monitoring, resolved, got "done"');
  });

  it('PATCH needs something to change, and sends status and message to updates', async () => {
    const { id } = await create({});
    const empty = await patch(id, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe(
      'invalid status incident: nothing to change: send title, impact, monitors or published (the status: change it with an update: POST /api/v1/status-incidents/{id}/updates with { "status", "message" })',
    );
    const status = await patch(id, { status: 'resolved' });
    expect(status.status).toBe(400);
    expect(status.body.error.issues).toEqual([
      { path: 'status', message: 'change it with an update: POST /api/v1/status-incidents/{id}/updates with { "status", "message" }' },
    ]);
    const unknown = await patch(id, { monitors: ['nope'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('invalid status incident: monitors[0]: no monitor with id "nope"');
  });
});

describe('who may read and write', () => {
  it('anonymous callers cannot write (401), a read token cannot either (403); nothing is changed', async () => {
    const { id } = await create({});
    const calls = [...api.service.calls];
    const attempts = [
      { path: PATH, method: 'POST', json: { title: 'x', message: 'x' } },
      { path: `${PATH}/${id}/updates`, method: 'POST', json: { message: 'x' } },
      { path: `${PATH}/${id}`, method: 'PATCH', json: { title: 'x' } },
      { path: `${PATH}/${id}`, method: 'DELETE' },
    ];
    for (const attempt of attempts) {
      const anonymous = await api.request(attempt.path, attempt);
      expect(anonymous.status, `${attempt.method} ${attempt.path}`).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      const reader = await api.request(attempt.path, { ...attempt, token: api.readToken });
      expect(reader.status, `${attempt.method} ${attempt.path}`).toBe(403);
      expect(reader.body.error.message).toContain('needs a token with scope write or higher');
    }
    expect(api.service.calls).toEqual(calls);
    expect((await api.request(`${PATH}/${id}`)).body.updates).toHaveLength(1);
  });

  it('anonymous callers see published incidents only: a draft is 404 and missing from the list; token holders see it', async () => {
    const published = await create({ title: 'Published' });
    const draft = await create({ title: 'Draft', published: false });
    const anonymous = await api.request(PATH);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.incidents.map((i: any) => i.title)).toEqual(['Published']);
    const hidden = await api.request(`${PATH}/${draft.id}`);
    expect(hidden.status).toBe(404);
    // The same answer as an incident that does not exist.
    expect(hidden.body.error).toEqual({ code: 'not_found', message: `no status incident with id "${draft.id}"` });
    expect((await api.request(`${PATH}/${published.id}`)).status).toBe(200);
    const reader = await api.request(PATH, { token: api.readToken });
    expect(reader.body.incidents.map((i: any) => [i.title, i.published])).toEqual([
      ['Draft', false],
      ['Published', true],
    ]);
    expect((await api.request(`${PATH}/${draft.id}`, { token: api.readToken })).body.title).toBe('Draft');
  });

  it('anonymous callers see public monitors only, and not who wrote the updates', async () => {
    const { id } = await create({ monitors: ['shop-api', 'orders-db'] });
    const anonymous = (await api.request(`${PATH}/${id}`)).body;
    expect(anonymous.monitors).toEqual([{ id: 'shop-api', impact: 'major' }]);
    expect(anonymous.updates[0].author).toBeNull();
    expect(JSON.stringify((await api.request(PATH)).body)).not.toContain('orders-db');
    const reader = (await api.request(`${PATH}/${id}`, { token: api.readToken })).body;
    expect(reader.monitors.map((m: any) => m.id)).toEqual(['shop-api', 'orders-db']);
    expect(reader.updates[0].author).toBe('writer');
  });

  it('PATCH is routed like the other methods: Allow lists it, 405 names it', async () => {
    const options = await api.request(`${PATH}/1`, { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
    const put = await api.request(`${PATH}/1`, { method: 'PUT', token: api.token, json: {} });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, PATCH, DELETE, OPTIONS');
  });

  it('an id that is not a number, or no incident, is 404', async () => {
    for (const id of ['abc', '0', '99', '1e3', '-1', '123456789012345678901']) {
      const response = await api.request(`${PATH}/${id}`, { token: api.token });
      expect(response.status, id).toBe(404);
      expect(response.body.error.message).toMatch(/^no status incident with id "/);
    }
    expect((await update(99, { message: 'x' })).status).toBe(404);
    expect((await api.request(`${PATH}/99`, { method: 'DELETE', token: api.writeToken })).status).toBe(404);
    expect((await patch(99, { title: 'x' })).status).toBe(404);
    expect(api.service.calls).toEqual([]);
  });
});

describe('the lifecycle, through updates', () => {
  it('investigating → identified → monitoring → resolved, each update with its time, status, text and author', async () => {
    const { id } = await create({});
    api.clock.now = NOW + 60_000;
    expect((await update(id, { status: 'identified', message: 'A bad deploy.' })).status).toBe(201);
    api.clock.now = NOW + 120_000;
    // Without a status, an update keeps the current one.
    const kept = await update(id, { message: 'Rolling back.' }, api.token);
    expect(kept.body.status).toBe('identified');
    api.clock.now = NOW + 180_000;
    await update(id, { status: 'monitoring', message: 'Rolled back; watching.' });
    api.clock.now = NOW + 240_000;
    const resolved = await update(id, { status: 'resolved', message: 'Fixed.' });
    expect(resolved.status).toBe(201);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      created_at: iso(NOW),
      updated_at: iso(NOW + 240_000),
      resolved_at: iso(NOW + 240_000),
    });
    expect(resolved.body.updates.map((u: any) => [u.at, u.status, u.message, u.author])).toEqual([
      [iso(NOW), 'investigating', 'Looking into it.', 'writer'],
      [iso(NOW + 60_000), 'identified', 'A bad deploy.', 'writer'],
      [iso(NOW + 120_000), 'identified', 'Rolling back.', 'test'],
      [iso(NOW + 180_000), 'monitoring', 'Rolled back; watching.', 'writer'],
      [iso(NOW + 240_000), 'resolved', 'Fixed.', 'writer'],
    ]);
    // Back to monitoring: open again.
    api.clock.now = NOW + 300_000;
    const reopened = await update(id, { status: 'monitoring', message: 'It came back.' });
    expect(reopened.body).toMatchObject({ status: 'monitoring', resolved_at: null });
  });
});

describe('listing', () => {
  it('newest first, with updates; pages with limit, before and next; since leaves out those resolved before it', async () => {
    const ids: number[] = [];
    for (const title of ['one', 'two', 'three']) ids.push((await create({ title })).id);
    api.clock.now = NOW + 3_600_000;
    await update(ids[0]!, { status: 'resolved', message: 'Done.' });
    const all = await api.request(PATH);
    expect(all.body.incidents.map((i: any) => i.title)).toEqual(['three', 'two', 'one']);
    expect(all.body.next).toBeNull();
    expect(all.body.incidents[2].updates).toHaveLength(2);

    const first = await api.request(`${PATH}?limit=2`);
    expect(first.body.incidents.map((i: any) => i.title)).toEqual(['three', 'two']);
    expect(first.body.next).toBe(ids[1]);
    const second = await api.request(`${PATH}?limit=2&before=${first.body.next}`);
    expect(second.body).toMatchObject({ incidents: [{ title: 'one' }], next: null });

    const open = await api.request(`${PATH}?since=${iso(NOW + 3_600_001)}`);
    expect(open.body.incidents.map((i: any) => i.title)).toEqual(['three', 'two']);
    const day = await api.request(`${PATH}?since=2025-01-15`);
    expect(day.body.incidents).toHaveLength(3);
    const offset = await api.request(`${PATH}?since=${encodeURIComponent('2025-01-15T14:00:00+01:00')}`);
    expect(offset.body.incidents).toHaveLength(3);
  });

  it('refuses a malformed limit, before or since with 400', async () => {
    for (const [query, message] of [
      ['limit=0', 'limit must be a whole number from 1 to 1000, not "0"'],
      ['before=x', /^before must be a whole number/],
      ['since=yesterday', 'since must be an ISO 8601 time such as 2025-01-15T12:00:00Z (or a date), not "yesterday"'],
      ['since=2025-13-45', /^since must be an ISO 8601 time/],
      ['since=2025-01-01&since=2025-01-02', 'query parameter since is given more than once'],
    ] as const) {
      const response = await api.request(`${PATH}?${query}`);
      expect(response.status, query).toBe(400);
      if (typeof message === 'string') expect(response.body.error.message).toBe(message);
      else expect(response.body.error.message).toMatch(message);
    }
  });
});

describe('changing and deleting', () => {
  it('PATCH changes the title, impact, monitors and publication, without an update', async () => {
    const { id } = await create({ published: false, impact: 'minor', monitors: ['shop-api'] });
    api.clock.now = NOW + 60_000;
    const changed = await patch(id, { title: 'Checkout is down', impact: 'critical', monitors: ['shop-api', { id: 'orders-db', impact: 'partial' }] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      title: 'Checkout is down',
      impact: 'critical',
      published: false,
      // Monitors named by id follow the new impact.
      monitors: [
        { id: 'shop-api', impact: 'major' },
        { id: 'orders-db', impact: 'partial' },
      ],
      updated_at: iso(NOW + 60_000),
    });
    expect(changed.body.updates).toHaveLength(1);
    // Without a new impact, the current one decides.
    const monitors = await patch(id, { monitors: ['nightly-backup'] });
    expect(monitors.body.monitors).toEqual([{ id: 'nightly-backup', impact: 'major' }]);
    // Publishing a draft shows it to anyone.
    expect((await api.request(`${PATH}/${id}`)).status).toBe(404);
    const published = await patch(id, { published: true });
    expect(published.body.published).toBe(true);
    expect((await api.request(`${PATH}/${id}`)).status).toBe(200);
    expect((await patch(id, { monitors: [] })).body.monitors).toEqual([]);
  });

  it('DELETE answers 204; the incident is gone', async () => {
    const { id } = await create({});
    const deleted = await api.request(`${PATH}/${id}`, { method: 'DELETE', token: api.writeToken });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await api.request(`${PATH}/${id}`, { token: api.token })).status).toBe(404);
    expect((await api.request(`${PATH}/${id}`, { method: 'DELETE', token: api.writeToken })).status).toBe(404);
    expect((await api.request(PATH, { token: api.token })).body.incidents).toEqual([]);
  });

  it("the service's refusals are answered with their status; anything else is a 500 without details", async () => {
    const { id } = await create({});
    api.service.failNext = new MonitorError('not_found', `no status incident ${id}`);
    expect((await patch(id, { title: 'x' })).status).toBe(404);
    api.service.failNext = new MonitorError('invalid', 'monitors: too many');
    const invalid = await update(id, { message: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toEqual({ code: 'bad_request', message: 'monitors: too many' });
    api.service.failNext = new Error('disk I/O error');
    const failed = await api.request(`${PATH}/${id}`, { method: 'DELETE', token: api.writeToken });
    expect(failed.status).toBe(500);
    expect(failed.body.error).toEqual({ code: 'internal_error', message: 'internal error: the server logged the details' });
    expect(failed.text).not.toContain('disk');
  });
});

describe('the audit log', () => {
  it('records each change with the token that made it', async () => {
    const { id } = await create({});
    await update(id, { status: 'resolved', message: 'Fixed.' });
    await patch(id, { title: 'Checkout errors (fixed)' }, api.token);
    await api.request(`${PATH}/${id}`, { method: 'DELETE', token: api.writeToken });
    // Refused changes are not changes.
    await api.request(PATH, { token: api.writeToken, json: { title: 'x', message: 'x', monitors: ['nope'] } });
    const response = await api.request('/api/v1/audit?limit=4', { token: api.token });
    expect(response.status).toBe(200);
    expect(response.body.entries.map((e: any) => [e.action, e.actor.name, e.at])).toEqual([
      ['status_incident.delete', 'writer', iso(NOW)],
      ['status_incident.update', 'test', iso(NOW)],
      ['status_incident.update', 'writer', iso(NOW)],
      ['status_incident.create', 'writer', iso(NOW)],
    ]);
    expect(response.body.entries[0].subject).toBe(`status-incident/${id}`);
    expect(response.body.entries[1].after).toEqual({ title: 'Checkout errors (fixed)' });
    expect(response.body.entries[2].after).toEqual({ status: 'resolved', message: 'Fixed.' });
  });
});
