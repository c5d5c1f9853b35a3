/** `redis`: connect to Redis and run a round trip (`PING`). */
import { z } from 'zod';
import { secret, urlWith } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const redisMonitor = z
  .strictObject({
    type: monitorType('redis', 'A Redis connection and PING.'),
    ...commonFields,
    ...probeFields('redis'),
    url: secret(urlWith(['redis:', 'rediss:'])).describe(
      'Connection URL, e.g. `redis://127.0.0.1:6379/0` (`rediss://` for TLS). Never shown in errors.',
    ),
    password: secret(z.string()).optional().describe('Password, kept out of the URL (use `${ENV}` substitution).'),
    bullmq_prefix: z
      .string()
      .regex(/^[^\s]{1,100}$/, { error: 'expected 1-100 characters without spaces' })
      .optional()
      .describe(
        "BullMQ's key prefix (the `prefix` option of your queues) for the background jobs views of this Redis in the API and dashboard. Default `bull`.",
      ),
  })
  .describe('Connects to Redis and sends `PING`.');
