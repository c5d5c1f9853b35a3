/** `mysql`: connect to MySQL or MariaDB and run a round trip (`SELECT 1`). */
import { z } from 'zod';
import { secret, urlWith } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const mysqlMonitor = z
  .strictObject({
    type: monitorType('mysql', 'A MySQL or MariaDB connection and query.'),
    ...commonFields,
    ...probeFields('mysql'),
    url: secret(urlWith(['mysql:', 'mariadb:'])).describe(
      'Connection URL, e.g. `mysql://monitor@127.0.0.1:3306/app`. Never shown in errors.',
    ),
    password: secret(z.string()).optional().describe('Password, kept out of the URL (use `${ENV}` substitution).'),
  })
  .describe('Connects to MySQL or MariaDB and runs `SELECT 1`.');
