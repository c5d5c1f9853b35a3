/**
 * The registry of monitor types. A new type is one file in this folder, added to this list — nothing else.
 */
import { z } from 'zod';
import { dnsMonitor } from './dns.js';
import { healthMonitor } from './health.js';
import { heartbeatMonitor } from './heartbeat.js';
import { httpMonitor } from './http.js';
import { mysqlMonitor } from './mysql.js';
import { postgresMonitor } from './postgres.js';
import { rabbitmqMonitor } from './rabbitmq.js';
import { redisMonitor } from './redis.js';
import { tcpMonitor } from './tcp.js';
import { tlsMonitor } from './tls.js';

export const monitorTypes = [
  httpMonitor,
  healthMonitor,
  tcpMonitor,
  dnsMonitor,
  tlsMonitor,
  postgresMonitor,
  mysqlMonitor,
  redisMonitor,
  rabbitmqMonitor,
  heartbeatMonitor,
] as const;

export type MonitorTypeName = (typeof monitorTypes)[number]['shape']['type']['value'];

export const MONITOR_TYPE_NAMES: readonly MonitorTypeName[] = monitorTypes.map((schema) => schema.shape.type.value);

/** Types that probe a target on an interval (they have `interval`, `timeout`, `retries`, `conditions`). */
export const PROBING_TYPES: ReadonlySet<string> = new Set(
  monitorTypes.filter((schema) => 'interval' in schema.shape).map((schema) => schema.shape.type.value),
);

export const monitorSchema = z.discriminatedUnion('type', monitorTypes);
