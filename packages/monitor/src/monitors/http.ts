/** `http` monitors: the configuration mapped onto `httpProbe`, with the configuration's defaults made explicit. */
import { httpProbe, type HttpProbeOptions } from '@vigil/core';
import type { MonitorOfType } from '../config/index.js';
import { readCaFile } from './ca-file.js';
import { elapsedSince, shownUrl, toOutcome, urlHost } from './outcome.js';
import type { MonitorKind } from './types.js';

type HttpLike = MonitorOfType<'http'> | MonitorOfType<'health'>;

/** The probe options of an http (or health) monitor. Shared with `health.ts`. */
export function httpProbeOptions(monitor: HttpLike): HttpProbeOptions {
  return {
    url: monitor.url,
    method: monitor.method,
    ...(monitor.headers !== undefined ? { headers: monitor.headers } : {}),
    ...(monitor.body !== undefined ? { body: monitor.body } : {}),
    ...(monitor.auth !== undefined ? { auth: monitor.auth } : {}),
    expectedStatus: monitor.accepted_status,
    followRedirects: monitor.follow_redirects,
    maxBodyBytes: monitor.max_body_bytes,
    // The configuration's promise: "a longer body fails the check" (the probe's own default is to judge its start).
    bodyTooLarge: 'fail',
    ...(monitor.keyword !== undefined ? { keyword: monitor.keyword } : {}),
    ...(monitor.regex !== undefined ? { regex: monitor.regex } : {}),
    invert: monitor.invert,
    ...(monitor.degraded_above !== undefined ? { degradedAboveMs: monitor.degraded_above } : {}),
    tls: {
      skipVerify: monitor.tls.skip_verify,
      expiryDegradedDays: monitor.tls.expiry_degraded_days,
      expiryUnhealthyDays: monitor.tls.expiry_unhealthy_days,
    },
    ...(monitor.ip_version !== undefined ? { ipVersion: monitor.ip_version } : {}),
    keepAlive: monitor.keep_alive,
  };
}

/** The probe options for one check: `httpProbeOptions` with the CA file, when there is one, read now. */
export async function httpCheckOptions(monitor: HttpLike): Promise<HttpProbeOptions> {
  const options = httpProbeOptions(monitor);
  const ca = await readCaFile(monitor.tls.ca_file);
  return ca === undefined ? options : { ...options, tls: { ...options.tls, ca } };
}

/** Header values, credentials (also as sent, base64) and the request body are secrets in the configuration. */
export function httpSecrets(monitor: HttpLike): string[] {
  const secrets: string[] = Object.values(monitor.headers ?? {});
  try {
    const url = new URL(monitor.url);
    if (url.password) {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      secrets.push(url.password, password, Buffer.from(`${user}:${password}`).toString('base64'));
    }
  } catch {
    // Validated by the configuration: not reached.
  }
  const { basic, bearer } = monitor.auth ?? {};
  if (basic) {
    secrets.push(basic.password, Buffer.from(`${basic.username}:${basic.password}`).toString('base64'));
  }
  if (bearer !== undefined) secrets.push(bearer);
  if (monitor.body !== undefined) secrets.push(monitor.body);
  return secrets;
}

export const http: MonitorKind<MonitorOfType<'http'>> = {
  probe: async (monitor, context) => {
    const start = performance.now();
    const result = await httpProbe(await httpCheckOptions(monitor), context);
    return toOutcome(result, elapsedSince(start), monitor.conditions, context.now());
  },
  target: (monitor) => `${monitor.method} ${shownUrl(monitor.url)}`,
  host: (monitor) => urlHost(monitor.url),
  secrets: httpSecrets,
};
