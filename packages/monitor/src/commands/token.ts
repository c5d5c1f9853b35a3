/**
 * `vigil token create --name NAME --scope SCOPE`, `vigil token list`, `vigil token revoke ID`: API tokens for
 * the REST API. A token is printed once, when it is created (alone on stdout, so `TOKEN=$(vigil token create
 * --name ci --scope write)` works); only its SHA-256 is stored. Every command says which database it used (on
 * stderr): a token only works with a server that uses the same one. Creating and revoking are recorded in the
 * audit log. The store comes from `openStore`, given by the CLI, so this file does not depend on a backend.
 */
import { type Command, Option } from 'commander';
import { createApiToken, type RandomBytes, revokeApiToken } from '../api/tokens.js';
import { type Store, type StoredToken, TOKEN_SCOPES, type TokenScope } from '../store/store.js';

/** How the store is found: the same options as `vigil serve`. */
export interface TokenStoreOptions {
  /** `--config`: the configuration file whose `storage` is used. */
  config?: string;
  /** `--data`: the data directory (SQLite database `<data>/vigil.db`). */
  data?: string;
}

/**
 * Opens the store the server uses (a ready store: `migrate()` is called again, which is idempotent) and says
 * which it is (`SQLite /srv/vigil/data/vigil.db`, `PostgreSQL postgres://vigil:***@db/vigil`).
 */
export type OpenStore = (options: TokenStoreOptions) => Promise<OpenedStore>;

export interface OpenedStore {
  store: Store;
  where: string;
  /** The database did not exist before (SQLite): no server has used it. */
  created?: boolean;
}

export interface TokenCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  now?: () => number;
  random?: RandomBytes;
}

interface StoreFlags {
  config?: string;
  data?: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

function tokenJson(token: StoredToken) {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    created_at: iso(token.createdAt),
    last_used_at: token.lastUsedAt === undefined ? null : iso(token.lastUsedAt),
  };
}

export function registerTokenCommand(program: Command, openStore: OpenStore, options: TokenCommandOptions = {}): void {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const outputError = (message: string, write: (text: string) => void) =>
    write(`vigil: ${message.replace(/^error: /, '')}`);

  const withStore = async <T>(flags: StoreFlags, use: (store: Store) => Promise<T>): Promise<T> => {
    const { store, where, created } = await openStore({
      ...(flags.config === undefined ? {} : { config: flags.config }),
      ...(flags.data === undefined ? {} : { data: flags.data }),
    });
    stderr(
      created
        ? `vigil: database: ${where} (new: no server has used it yet; a server started from another directory or with another --config or --data will not know these tokens)\n`
        : `vigil: database: ${where}\n`,
    );
    try {
      await store.migrate();
      return await use(store);
    } finally {
      await store.close();
    }
  };

  const storeOptions = (command: Command) =>
    command
      .option('--config <file>', 'configuration file of the server (its storage is used)')
      .option('--data <dir>', 'data directory of the server (SQLite: <dir>/vigil.db)')
      .configureOutput({ outputError });

  const token = program
    .command('token')
    .description('create, list and revoke API tokens (needed for writes through the REST API)')
    .configureOutput({ outputError });

  storeOptions(
    token
      .command('create')
      .description('create an API token and print it (once: only a hash is stored)')
      .requiredOption('--name <name>', 'what the token is for, e.g. "ci" or "status-page"')
      .addOption(
        new Option(
          '--scope <scope>',
          'what it may do: read (see private monitors, results, events), write (also create, change, delete, pause monitors), admin (also read the audit log); agent: only what `vigil agent` needs (fetch the monitors of its location, send their results)',
        )
          .choices(TOKEN_SCOPES)
          .makeOptionMandatory(),
      ),
  ).action(async (flags: StoreFlags & { name: string; scope: TokenScope }) => {
    const created = await withStore(flags, (store) =>
      createApiToken(store, flags.name, {
        scope: flags.scope,
        ...(options.now ? { now: options.now } : {}),
        ...(options.random ? { random: options.random } : {}),
      }),
    );
    stdout(`${created.token}\n`);
    stderr(
      `vigil: created API token "${created.stored.name}" (${created.stored.id}, scope ${created.stored.scope}); ` +
        'it is shown only once, store it now.\n' +
        `use it as: Authorization: Bearer <token>; revoke it with: vigil token revoke ${created.stored.id}\n`,
    );
  });

  storeOptions(
    token.command('list').description('list API tokens (never the tokens themselves)').option('--json', 'print JSON'),
  ).action(async (flags: StoreFlags & { json?: boolean }) => {
    const tokens = await withStore(flags, (store) => store.listTokens());
    const sorted = [...tokens].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    if (flags.json) {
      stdout(`${JSON.stringify(sorted.map(tokenJson), null, 2)}\n`);
      return;
    }
    if (sorted.length === 0) {
      stderr('vigil: no API tokens; create one with: vigil token create --name NAME --scope read|write|admin\n');
      return;
    }
    const rows = [
      ['ID', 'NAME', 'SCOPE', 'CREATED', 'LAST USED'],
      ...sorted.map((t) => [t.id, t.name, t.scope, iso(t.createdAt), iso(t.lastUsedAt)]),
    ];
    stdout(`${table(rows)}\n`);
  });

  storeOptions(
    token
      .command('revoke')
      .description('revoke an API token: it stops working at once')
      .argument('<id>', 'the token id (see vigil token list)'),
  ).action(async (id: string, flags: StoreFlags) => {
    const revoked = await withStore(flags, async (store) => {
      const found = (await store.listTokens()).find((t) => t.id === id);
      if (!found || !(await revokeApiToken(store, found, options.now ? { now: options.now } : {}))) return undefined;
      return found;
    });
    if (!revoked) throw new Error(`no API token with id "${id}": see vigil token list`);
    stdout(`vigil: revoked API token ${revoked.id} ("${revoked.name}")\n`);
  });
}
