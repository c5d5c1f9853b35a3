/** `postgres`: connect to PostgreSQL and run a round trip (`SELECT 1`). */
import { z } from 'zod';
import { secret, urlWith } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const postgresMonitor = z
  .strictObject({
    type: monitorType('postgres', 'A PostgreSQL connection and query.'),
    ...commonFields,
    ...probeFields('postgres'),
    url: secret(urlWith(['postgres:', 'postgresql:'])).describe(
      'Connection URL, e.g. `postgres://monitor@127.0.0.1:5432/app`. Never shown in errors.',
    ),
    password: secret(z.string()).optional().describe('Password, kept out of the URL (use `${ENV}` substitution).'),
  })
  .describe('Connects to PostgreSQL and runs `SELECT 1`.');
