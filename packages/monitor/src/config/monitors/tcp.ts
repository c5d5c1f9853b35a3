/** `tcp`: a TCP connection to host:port. */
import { z } from 'zod';
import { host, port } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const tcpMonitor = z
  .strictObject({
    type: monitorType('tcp', 'A TCP connection.'),
    ...commonFields,
    ...probeFields('tcp'),
    host: host().describe('Host name or IP address to connect to.'),
    port: port().describe('TCP port.'),
  })
  .describe('Opens a TCP connection to host:port; up when it connects within the timeout.');
