/**
 * `vigil token create | list | revoke` against the real SQLite store (in memory), through commander as the CLI
 * runs it.
 */
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken, TOKEN_PATTERN } from '../../src/api/tokens.js';
import { registerTokenCommand, type TokenStoreOptions } from '../../src/commands/token.js';
import type { Store } from '../../src/store/store.js';
import { memoryStore, NOW, startApi } from './harness.js';

/** The store the command opens; each command closes it, so it gets a view whose close() is only counted. */
let store: Store;
/** The store this file opened (closed after each test); `store` may be an API's store instead. */
let own: Store;
let opened: TokenStoreOptions[];
/** Calls the commands made on the store they opened. */
let migrations: number;
let closes: number;
let out: string;
let err: string;
let clock: number;
/** What the opener says about the database: just created or not. */
let fresh: boolean;

function program(): Command {
  const root = new Command().name('vigil').exitOverride();
  registerTokenCommand(
    root,
    async (options) => {
      opened.push(options);
      return { store: lent(store), where: 'SQLite /srv/vigil/data/vigil.db', created: fresh };
    },
    {
      stdout: (text) => (out += text),
      stderr: (text) => (err += text),
      now: () => clock,
    },
  );
  root.commands.forEach((command) => command.exitOverride());
  for (const sub of root.commands.flatMap((command) => command.commands)) {
    sub.exitOverride().configureOutput({ writeErr: (text) => (err += text), writeOut: (text) => (out += text) });
  }
  return root;
}

async function vigil(...args: string[]): Promise<void> {
  out = '';
  err = '';
  await program().parseAsync(args, { from: 'user' });
}

/** `target` as the command sees it: migrate() and close() are counted; close() leaves the store open. */
function lent(target: Store): Store {
  return new Proxy(target, {
    get(object, property) {
      if (property === 'close') {
        return async () => {
          closes++;
        };
      }
      if (property === 'migrate') {
        return () => {
          migrations++;
          return object.migrate();
        };
      }
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

beforeEach(async () => {
  own = await memoryStore();
  store = own;
  opened = [];
  migrations = 0;
  closes = 0;
  clock = NOW;
  fresh = false;
});

afterEach(() => own.close());

describe('vigil token create', () => {
  it('prints the token once, alone on stdout, and stores only its hash', async () => {
    await vigil('token', 'create', '--name', 'ci', '--scope', 'write', '--config', 'vigil.yaml', '--data', '/var/lib/vigil');
    const token = out.trim();
    expect(out).toBe(`${token}\n`);
    expect(token).toMatch(TOKEN_PATTERN);
    expect(err).toMatch(
      /^vigil: database: SQLite \/srv\/vigil\/data\/vigil\.db\nvigil: created API token "ci" \(tok_[0-9a-f]{12}, scope write\); it is shown only once, store it now\.\n/,
    );
    expect(err).not.toContain(token);
    const [stored] = await store.listTokens();
    expect(stored).toEqual({
      id: expect.stringMatching(/^tok_/),
      name: 'ci',
      hash: hashToken(token),
      scope: 'write',
      createdAt: NOW,
    });
    expect(JSON.stringify(await store.listTokens())).not.toContain(token);
    expect(opened).toEqual([{ config: 'vigil.yaml', data: '/var/lib/vigil' }]);
    expect(migrations).toBe(1);
    expect(closes).toBe(1);
  });

  it('says so when the database is new: a server elsewhere would not know the token', async () => {
    fresh = true;
    await vigil('token', 'create', '--name', 'ci', '--scope', 'read');
    expect(err).toMatch(/^vigil: database: SQLite \/srv\/vigil\/data\/vigil\.db \(new: no server has used it yet; /);
  });

  it('records who created it in the audit log, without the secret', async () => {
    await vigil('token', 'create', '--name', 'ci', '--scope', 'read');
    const token = out.trim();
    const [stored] = await store.listTokens();
    const log = await store.auditLog({ limit: 10 });
    expect(log).toEqual([
      {
        id: expect.any(Number),
        at: NOW,
        actor: { name: 'cli' },
        action: 'token.create',
        subject: stored?.id,
        after: { id: stored?.id, name: 'ci', scope: 'read' },
      },
    ]);
    expect(JSON.stringify(log)).not.toContain(token);
    expect(JSON.stringify(log)).not.toContain(hashToken(token));
  });

  it('requires a scope, and only a known one', async () => {
    await expect(vigil('token', 'create', '--name', 'ci')).rejects.toThrow(/required option '--scope <scope>' not specified/);
    await expect(vigil('token', 'create', '--name', 'ci', '--scope', 'root')).rejects.toThrow(
      /argument 'root' is invalid\. Allowed choices are read, write, admin/,
    );
    expect(await store.listTokens()).toEqual([]);
  });

  it('makes a different token each time', async () => {
    await vigil('token', 'create', '--name', 'a', '--scope', 'read');
    const first = out.trim();
    await vigil('token', 'create', '--name', 'b', '--scope', 'read');
    expect(out.trim()).not.toBe(first);
    expect(opened).toEqual([{}, {}]);
  });

  it('refuses a duplicate or empty name, and requires --name', async () => {
    await vigil('token', 'create', '--name', 'ci', '--scope', 'read');
    await expect(vigil('token', 'create', '--name', 'ci', '--scope', 'read')).rejects.toThrow(
      /^a token named "ci" already exists \(tok_[0-9a-f]{12}\): revoke it first or choose another name$/,
    );
    await expect(vigil('token', 'create', '--name', '  ', '--scope', 'read')).rejects.toThrow('token name must not be empty');
    await expect(vigil('token', 'create', '--scope', 'read')).rejects.toThrow(/required option '--name <name>' not specified/);
    expect(await store.listTokens()).toHaveLength(1);
  });

  it('creates a token the API accepts, within its scope', async () => {
    const api = await startApi();
    try {
      store = api.store;
      await vigil('token', 'create', '--name', 'ops', '--scope', 'write');
      const writer = out.trim();
      await vigil('token', 'create', '--name', 'dashboard', '--scope', 'read');
      const reader = out.trim();
      const pause = '/api/v1/monitors/orders-db/pause';
      expect((await api.request(pause, { method: 'POST', token: reader })).status).toBe(403);
      expect((await api.request(pause, { method: 'POST', token: writer })).status).toBe(200);
      expect((await api.request('/api/v1/audit', { token: writer })).status).toBe(403);
    } finally {
      await api.close();
    }
  });
});

describe('vigil token list', () => {
  it('lists ids, names and dates, never the tokens or hashes', async () => {
    await vigil('token', 'create', '--name', 'ci', '--scope', 'write');
    const ci = out.trim();
    clock = NOW + 60_000;
    await vigil('token', 'create', '--name', 'status page', '--scope', 'read');
    const [first] = await store.listTokens();
    await store.touchToken(first?.id as string, NOW + 120_000);
    await vigil('token', 'list');
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SCOPE\s+CREATED\s+LAST USED$/);
    expect(lines[1]).toMatch(/^tok_[0-9a-f]{12} {2}ci {11}write {2}2025-01-15T12:00:00Z {2}2025-01-15T12:02:00Z$/);
    expect(lines[2]).toMatch(/^tok_[0-9a-f]{12} {2}status page {2}read {3}2025-01-15T12:01:00Z {2}-$/);
    expect(out).not.toContain(ci);
    expect(out).not.toContain(hashToken(ci));
    await vigil('token', 'list', '--json');
    expect(JSON.parse(out)).toEqual([
      { id: first?.id, name: 'ci', scope: 'write', created_at: '2025-01-15T12:00:00Z', last_used_at: '2025-01-15T12:02:00Z' },
      { id: expect.any(String), name: 'status page', scope: 'read', created_at: '2025-01-15T12:01:00Z', last_used_at: null },
    ]);
  });

  it('says how to create one when there is none', async () => {
    await vigil('token', 'list');
    expect(out).toBe('');
    expect(err).toBe(
      'vigil: database: SQLite /srv/vigil/data/vigil.db\nvigil: no API tokens; create one with: vigil token create --name NAME --scope read|write|admin\n',
    );
  });
});

describe('vigil token revoke', () => {
  it('revokes by id; the token stops working at once', async () => {
    const api = await startApi();
    try {
      store = api.store;
      await vigil('token', 'create', '--name', 'ci', '--scope', 'read');
      const token = out.trim();
      expect((await api.request('/api/v1/monitors', { token })).status).toBe(200);
      const id = (await store.listTokens()).find((t) => t.name === 'ci')?.id as string;
      clock = NOW + 1000;
      await vigil('token', 'revoke', id);
      expect(out).toBe(`vigil: revoked API token ${id} ("ci")\n`);
      expect((await api.request('/api/v1/monitors', { token })).status).toBe(401);
      const [entry] = await store.auditLog({ limit: 1 });
      expect(entry).toMatchObject({ at: NOW + 1000, actor: { name: 'cli' }, action: 'token.revoke', subject: id });
    } finally {
      await api.close();
    }
  });

  it('fails for an unknown id, and closes the store', async () => {
    await expect(vigil('token', 'revoke', 'tok_000000000000')).rejects.toThrow(
      'no API token with id "tok_000000000000": see vigil token list',
    );
    expect(closes).toBe(1);
  });
});
