/** `tls`: a TLS handshake; certificate expiry, chain validity and host name. */
import { z } from 'zod';
import { caFile, certificateExpiryFields, checkCertificateExpiry, host, port } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const tlsMonitor = z
  .strictObject({
    type: monitorType('tls', 'A TLS handshake.'),
    ...commonFields,
    ...probeFields('tls'),
    host: host().describe('Host name or IP address to connect to.'),
    port: port().default(443).describe('TCP port.'),
    server_name: host().optional().describe('Name sent with SNI and checked against the certificate. Default: `host`.'),
    ...certificateExpiryFields,
    ca_file: caFile()
      .optional()
      .describe(
        'A PEM file of the CA certificates to trust instead of the public ones, for a server signed by a private CA. Read at every check.',
      ),
  })
  .superRefine(checkCertificateExpiry)
  .describe('Performs a TLS handshake and checks the chain, the host name and how soon the certificate expires.');
