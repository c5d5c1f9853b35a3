/**
 * The shared services the tests connect to, one place for all of them. Each URL comes from an environment variable
 * and defaults to the service on this machine's loopback, so a run elsewhere (another host, port or credentials)
 * needs no edit:
 *
 *   VIGIL_TEST_POSTGRES_URL   postgres://postgres@127.0.0.1:5432/test
 *   VIGIL_TEST_MYSQL_URL      mysql://root@127.0.0.1:3306/test
 *   VIGIL_TEST_REDIS_URL      redis://127.0.0.1:6379
 *   VIGIL_TEST_RABBITMQ_URL   amqp://guest:guest@127.0.0.1:5672
 *   VIGIL_TEST_NATS_URL       nats://127.0.0.1:4222
 *
 * Fault tests do not use these: they start private servers on random ports. A module, not a test file.
 */

function fromEnv(name: string, fallback: string): string {
  const value = process.env[name]?.trim();
  return value === undefined || value === '' ? fallback : value;
}

export const POSTGRES_URL = fromEnv('VIGIL_TEST_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/test');
export const MYSQL_URL = fromEnv('VIGIL_TEST_MYSQL_URL', 'mysql://root@127.0.0.1:3306/test');
export const REDIS_URL = fromEnv('VIGIL_TEST_REDIS_URL', 'redis://127.0.0.1:6379');
export const RABBITMQ_URL = fromEnv('VIGIL_TEST_RABBITMQ_URL', 'amqp://guest:guest@127.0.0.1:5672');
export const NATS_URL = fromEnv('VIGIL_TEST_NATS_URL', 'nats://127.0.0.1:4222');

/** Host and port of a service URL, for clients configured with those rather than a URL. */
export function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}

export const REDIS = hostPort(REDIS_URL, 6379);

/** `url` with another password (an empty one removes it): for tests of refused credentials on a shared service. */
export function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** `url` with another database (the path: a PostgreSQL or MySQL database name, a Redis database number). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
