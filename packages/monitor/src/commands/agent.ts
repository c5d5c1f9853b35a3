/**
 * `vigil agent --server URL --token TOKEN --location NAME [--buffer DIR] [--max-buffer SIZE]`: checks from another
 * place for a `vigil serve` (agent/agent.ts). Flags win over the environment (`VIGIL_SERVER`, `VIGIL_TOKEN`,
 * `VIGIL_LOCATION`, `VIGIL_LOG_LEVEL`, `VIGIL_LOG_FORMAT`). SIGTERM / SIGINT stop the checks, write what is in memory
 * to the buffer, send what can be sent within a few seconds, and exit 0 (the rest stays in the buffer for the next
 * start). A token the server refuses exits 1, saying why. The token is never printed.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { Agent } from '../agent/agent.js';
import { ResultBuffer } from '../agent/buffer.js';
import { AgentClient } from '../agent/client.js';
import { LOCATION_PATTERN } from '../config/fields.js';
import { createLogger, describeError, LOG_FORMATS, LOG_LEVELS, type Logger, parseLogFormat, parseLogLevel } from '../log/logger.js';
import { VIGIL_VERSION } from '../service/version.js';

export const DEFAULT_BUFFER_DIR = './vigil-agent-buffer';
export const DEFAULT_MAX_BUFFER = '100MB';

export interface AgentFlags {
  server?: string;
  token?: string;
  location?: string;
  buffer?: string;
  maxBuffer?: string;
  logLevel?: string;
  logFormat?: string;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };
const MIN_BUFFER_BYTES = 64 * 1024;

/** `100MB`, `512KB`, `1GB` (powers of 1024), or a number of bytes. */
export function parseSize(value: string, from: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()];
  const bytes = match && unit !== undefined ? Math.floor(Number(match[1]) * unit) : Number.NaN;
  if (!Number.isFinite(bytes)) throw new Error(`${from}: expected a size like 100MB, 512KB or 1GB, not ${JSON.stringify(value.slice(0, 40))}`);
  if (bytes < MIN_BUFFER_BYTES) throw new Error(`${from}: at least 64KB, not ${JSON.stringify(value.slice(0, 40))}`);
  return bytes;
}

export interface AgentSettings {
  server: string;
  token: string;
  location: string;
  bufferDir: string;
  maxBufferBytes: number;
}

/** The settings from flags, else the environment; what is missing or malformed is said (the token never shown). */
export function agentSettings(flags: AgentFlags, env: NodeJS.ProcessEnv): AgentSettings {
  const server = flags.server ?? env.VIGIL_SERVER;
  const token = flags.token ?? env.VIGIL_TOKEN;
  const location = flags.location ?? env.VIGIL_LOCATION;
  const missing = [
    server ? undefined : '--server URL (or VIGIL_SERVER)',
    token ? undefined : '--token TOKEN (or VIGIL_TOKEN), an agent token: vigil token create --name NAME --scope agent',
    location ? undefined : '--location NAME (or VIGIL_LOCATION), where this agent checks from',
  ].filter((item): item is string => item !== undefined);
  if (missing.length > 0) throw new Error(`missing ${missing.join('; ')}`);
  let url: URL;
  try {
    url = new URL(server as string);
  } catch {
    throw new Error(`${flags.server ? '--server' : 'VIGIL_SERVER'}: expected the URL of vigil serve, like http://vigil.internal:3939`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${flags.server ? '--server' : 'VIGIL_SERVER'}: expected an http:// or https:// URL, like http://vigil.internal:3939`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`${flags.server ? '--server' : 'VIGIL_SERVER'}: the URL must not hold credentials: the agent token is what the server checks`);
  }
  if (!LOCATION_PATTERN.test(location as string)) {
    throw new Error(
      `${flags.location ? '--location' : 'VIGIL_LOCATION'}: expected a location name like "eu-west": lowercase letters, digits, "-", "_" and "." (at most 63)`,
    );
  }
  return {
    server: url.href,
    token: token as string,
    location: location as string,
    bufferDir: path.resolve(flags.buffer ?? DEFAULT_BUFFER_DIR),
    maxBufferBytes: parseSize(flags.maxBuffer ?? DEFAULT_MAX_BUFFER, '--max-buffer'),
  };
}

function agentLogger(flags: AgentFlags, env: NodeJS.ProcessEnv): Logger {
  const level = flags.logLevel ?? env.VIGIL_LOG_LEVEL;
  const format = flags.logFormat ?? env.VIGIL_LOG_FORMAT;
  return createLogger({
    ...(level ? { level: parseLogLevel(level, flags.logLevel ? '--log-level' : 'VIGIL_LOG_LEVEL') } : {}),
    ...(format ? { format: parseLogFormat(format, flags.logFormat ? '--log-format' : 'VIGIL_LOG_FORMAT') } : {}),
  });
}

const formatBytes = (bytes: number) => (bytes >= 1024 ** 2 ? `${Math.round(bytes / 1024 ** 2)} MB` : `${Math.round(bytes / 1024)} KB`);

export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('check from another place for a vigil serve: run the monitors assigned to a location, send their results')
    .option('--server <url>', 'URL of vigil serve (env VIGIL_SERVER)')
    .option('--token <token>', 'an API token of scope agent (env VIGIL_TOKEN; prefer the variable: flags show in ps)')
    .option('--location <name>', 'where this agent checks from, e.g. eu-west (env VIGIL_LOCATION)')
    .option('--buffer <dir>', `folder of the results not sent yet (default ${DEFAULT_BUFFER_DIR})`)
    .option('--max-buffer <size>', `the most the buffer keeps, e.g. 100MB; beyond, the oldest results are dropped (default ${DEFAULT_MAX_BUFFER})`)
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')} (env VIGIL_LOG_LEVEL; default info)`)
    .option('--log-format <format>', `log format: ${LOG_FORMATS.join(', ')} (env VIGIL_LOG_FORMAT; default pretty on a terminal, json otherwise)`)
    .action(async (flags: AgentFlags) => {
      const settings = agentSettings(flags, process.env);
      const logger = agentLogger(flags, process.env);
      const buffer = await ResultBuffer.open({
        dir: settings.bufferDir,
        maxBytes: settings.maxBufferBytes,
        location: settings.location,
        onDrop: (count) =>
          logger.error(
            { event: 'buffer_full', dropped: count, maxBytes: settings.maxBufferBytes },
            `the buffer is full (--max-buffer ${formatBytes(settings.maxBufferBytes)}): the ${count} oldest results were dropped`,
          ),
      });
      const client = new AgentClient({ server: settings.server, token: settings.token, location: settings.location });
      let exitCode = 0;
      let stopping: Promise<void> | undefined;
      const stop = (code: number): Promise<void> =>
        (stopping ??= agent
          .stop()
          .catch((error: unknown) => {
            logger.error({ event: 'stop_failed', error: describeError(error) }, 'stopping failed');
            exitCode = 1;
          })
          .then(() => buffer.close())
          .finally(() => process.exit(Math.max(code, exitCode))));
      const agent: Agent = new Agent({
        client,
        buffer,
        location: settings.location,
        logger,
        onFatal: () => void stop(1),
      });
      let signals = 0;
      const shutdown = (signal: string) => {
        if (++signals > 1) {
          logger.warn({ event: 'stopping', signal }, `${signal} again: exiting without waiting (the buffer keeps what was written)`);
          process.exit(1);
        }
        logger.info({ event: 'stopping', signal }, `${signal}: stopping (writing the results in memory to the buffer, sending what can be sent)`);
        void stop(0);
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      logger.info(
        { event: 'started', server: client.server, location: settings.location, buffer: settings.bufferDir, maxBufferBytes: settings.maxBufferBytes, version: VIGIL_VERSION },
        `agent for ${client.server}, location ${settings.location}, buffer ${settings.bufferDir} (at most ${formatBytes(settings.maxBufferBytes)})`,
      );
      await agent.start();
    });
}
