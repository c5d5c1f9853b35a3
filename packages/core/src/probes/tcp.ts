/** `tcp`: a TCP connection to host:port, timed; the connection is closed as soon as it is open. */
import net from 'node:net';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { applyConditions, type Condition, parseConditions } from '../conditions/index.js';
import { onAbort, once, since } from '../drivers.js';
import { errorMessage, type Probe, type ProbeContext, type ProbeResult, type ProbeTimings, round2 } from '../probe.js';
import { deadlineBackstop } from '../net/deadline.js';
import { bareHost, timedLookup } from '../net/lookup.js';

export interface TcpProbeOptions {
  /** Host name or IP address. */
  host: string;
  port: number;
  /** Connect over IPv4 or IPv6 only. Default: whichever the resolver offers (both are tried). */
  ipVersion?: 4 | 6;
  /** Gatus conditions that must all hold, e.g. `[CONNECTED] == true`, `[RESPONSE_TIME] < 100`. */
  conditions?: ReadonlyArray<string | Condition>;
}

export interface TcpCheckOptions extends TcpProbeOptions, CheckOptions {}

interface PreparedTcp {
  host: string;
  port: number;
  family?: 4 | 6;
  conditions: Condition[];
  shown: string;
}

function prepare(options: TcpProbeOptions): PreparedTcp {
  if (typeof options.host !== 'string' || options.host.length === 0) throw new TypeError('tcp: host is required');
  if (!(Number.isInteger(options.port) && options.port >= 1 && options.port <= 65535)) {
    throw new TypeError('tcp: port must be a whole number from 1 to 65535');
  }
  const host = bareHost(options.host);
  return {
    host,
    port: options.port,
    ...(options.ipVersion !== undefined ? { family: options.ipVersion } : {}),
    conditions: parseConditions(options.conditions),
    shown: `${net.isIPv6(host) ? `[${host}]` : host}:${options.port}`,
  };
}

async function run(prepared: PreparedTcp, context: ProbeContext): Promise<ProbeResult> {
  const start = performance.now();
  const timings: ProbeTimings = {};
  let lookupEnd: number | undefined;
  let ip: string | undefined;
  let result: ProbeResult;
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      let stopListening: () => void = () => {};
      // Armed first, so every way out below can clear it; `fail` is only called from the timer.
      const deadlineTimer = deadlineBackstop(context, (error) => fail(error));
      const socket = net.connect({
        host: prepared.host,
        port: prepared.port,
        lookup: timedLookup((ms) => {
          lookupEnd = performance.now();
          timings.dns = ms;
        }),
        ...(prepared.family !== undefined ? { family: prepared.family } : {}),
      });
      const settle = once(() => {
        settled = true;
        stopListening();
        clearTimeout(deadlineTimer);
        socket.destroy();
      });
      const fail = (error: unknown) => {
        if (settled) return;
        settle();
        reject(error instanceof Error ? error : new Error(errorMessage(error)));
      };
      socket.once('connect', () => {
        timings.connect = round2(performance.now() - (lookupEnd ?? start));
        ip = socket.remoteAddress;
        settle();
        resolve();
      });
      socket.on('error', fail);
      stopListening = onAbort(context.signal, () =>
        fail(context.signal.reason instanceof Error ? context.signal.reason : new Error('aborted')),
      );
    });
    const latencyMs = since(start);
    result = {
      status: 'healthy',
      details: { host: prepared.host, port: prepared.port, ...(ip !== undefined ? { ip } : {}), latency_ms: latencyMs },
      measurements: [{ measurement: 'responseTime', value: latencyMs, unit: 'ms' }],
      facts: { connected: true, timings, ...(ip !== undefined ? { ip } : {}) },
    };
  } catch (error) {
    result = {
      status: 'unhealthy',
      details: { host: prepared.host, port: prepared.port },
      error: `TCP connection to ${prepared.shown} failed: ${errorMessage(error)}`,
      facts: { connected: false, timings },
    };
  }
  return applyConditions(result, prepared.conditions, since(start), context.now?.());
}

/** Opens a TCP connection to host:port: healthy when it connects. */
export const tcpProbe: Probe<TcpProbeOptions> = (options, context) => run(prepare(options), context);

/** A TCP port accepts connections. Default name `tcp`. */
export function tcpCheck(options: TcpCheckOptions): Check {
  const prepared = prepare(options);
  return defineCheck({ kind: 'tcp', componentType: 'component' }, options, (context) => run(prepared, context));
}
