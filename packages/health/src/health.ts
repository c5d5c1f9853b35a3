import {
  type Check,
  type CheckReport,
  createVigilJsonRenderer,
  HEALTH_JSON_MEDIA_TYPE,
  type HealthReport,
  type HttpStatusMapping,
  type Observation,
  type ProbeLine,
  reportStatus,
  type ServiceInfo,
  type Status,
  toHealthJson,
  toHttpStatus,
  toProbeText,
  type Visibility,
} from '@vigil/core';
import { createHealthMetrics, type HealthMetrics, type MetricsOptions } from './metrics/health-metrics.js';
import {
  bearerMatches,
  type HealthRequest,
  type HealthResponse,
  header,
  splitUrl,
  wantsHealthJson,
} from './request.js';
import { CheckRunner } from './runner.js';

/** Like Spring Boot's `show-details` / `show-components`. */
export type ShowPolicy = 'never' | 'when-authorized' | 'always';

export interface HealthPaths {
  /** Aggregate JSON of every check. Default `/health`; `false` turns it off. */
  health?: string | false;
  /** Process liveness; never depends on an external system. Default `/livez`. */
  livez?: string | false;
  /** Critical checks; `/readyz/<name>` runs one. Default `/readyz`. */
  readyz?: string | false;
  /** Prometheus metrics (text 0.0.4 or OpenMetrics). Default `/metrics`. */
  metrics?: string | false;
}

export interface HealthOptions {
  checks?: Check[];
  service?: ServiceInfo;
  paths?: HealthPaths;
  /** Error texts and observed values. Default `when-authorized`: anonymous callers see statuses only. */
  showDetails?: ShowPolicy;
  /** Per-check entries (names and statuses). Default `always`. */
  showComponents?: ShowPolicy;
  /** A bearer token that authorizes callers to see details. */
  token?: string;
  /** Decides whether a caller is authorized (checked after `token`). A throwing callback means "no". */
  authorize?: (request: HealthRequest) => boolean | Promise<boolean>;
  /** HTTP status per health status; default 200/200/503. */
  httpStatus?: Partial<HttpStatusMapping>;
  /** Injected clock for tests. */
  now?: () => number;
  /** Called with every fresh observation; must not throw. */
  onObservation?: (check: Check, observation: Observation) => void;
  /** The /metrics endpoint: check cache age, collector timeouts, authorization, default metrics. */
  metrics?: MetricsOptions;
}

export interface ReportSelection {
  /** Run only these checks. */
  only?: readonly string[];
  exclude?: readonly string[];
  /** Only critical checks (readiness). */
  criticalOnly?: boolean;
}

export interface Health {
  readonly checks: readonly Check[];
  /** The paths it answers (relative to where it is mounted); `false` where one is turned off. */
  readonly paths: Readonly<Required<HealthPaths>>;
  readonly shuttingDown: boolean;
  /** Adds a check at run time (e.g. a queue discovered after start). Names must be unique. */
  addCheck(check: Check): void;
  /** Runs (or reuses cached) checks and aggregates them. Never rejects. */
  report(selection?: ReportSelection): Promise<HealthReport>;
  /** Answers a request for one of the health paths; `undefined` when the path is not one of them. */
  handle(request: HealthRequest): Promise<HealthResponse | undefined>;
  /**
   * Like `handle`, but answers synchronously when it can (cached checks, no async authorization) — the hot
   * path for servers that poll often. Never rejects.
   */
  dispatch(request: HealthRequest): HealthResponse | undefined | Promise<HealthResponse | undefined>;
  /** From now on readiness fails (503) while liveness stays 200. Used by graceful shutdown. */
  beginShutdown(): void;
  /** The last observation of a check without running it (for metrics scrapes). */
  lastObservation(name: string): Observation | undefined;
  /** Prometheus metrics of this instance: business gauges, error counts, the scheduler flag, its registry. */
  readonly metrics: HealthMetrics;
}

const SHUTDOWN_CHECK = 'shutdown';

export function createHealth(options: HealthOptions = {}): Health {
  const checks: Check[] = [];
  const byName = new Map<string, Check>();
  const now = options.now ?? Date.now;
  const userObserver = options.onObservation;
  const runner = new CheckRunner({
    now,
    onObservation: (check, observation) => {
      metricsInternals.observe(check, observation);
      userObserver?.(check, observation);
    },
  });
  const service: ServiceInfo = options.service ?? {};
  const paths: Required<HealthPaths> = Object.freeze({
    health: validPath('health', options.paths?.health ?? '/health'),
    livez: validPath('livez', options.paths?.livez ?? '/livez'),
    readyz: validPath('readyz', options.paths?.readyz ?? '/readyz'),
    metrics: validPath('metrics', options.paths?.metrics ?? '/metrics'),
  });
  const showDetails = options.showDetails ?? 'when-authorized';
  const showComponents = options.showComponents ?? 'always';
  let shuttingDown = false;
  let shutdownAt = 0;
  const metricsRequireAuthorization = options.metrics?.requireAuthorization === true;
  if (metricsRequireAuthorization && !options.token && !options.authorize) {
    throw new TypeError('metrics.requireAuthorization needs a `token` or an `authorize` callback to check callers');
  }
  const metricsInternals = createHealthMetrics(options.metrics ?? {}, {
    service,
    now,
    checks: () => checks,
    last: (name) => runner.last(name),
    run: (check) => runner.run(check),
    shuttingDown: () => shuttingDown,
  });

  const addCheck = (check: Check) => {
    if (byName.has(check.name) || check.name === SHUTDOWN_CHECK) {
      throw new Error(`a check named "${check.name}" already exists: give each check a unique name`);
    }
    checks.push(check);
    byName.set(check.name, check);
  };
  for (const check of options.checks ?? []) addCheck(check);

  const shutdownReport = (): CheckReport => ({
    name: SHUTDOWN_CHECK,
    kind: SHUTDOWN_CHECK,
    critical: true,
    componentType: 'system',
    observation: { status: 'unhealthy', error: 'shutting down', durationMs: 0, startedAt: shutdownAt, timedOut: false },
  });

  const select = (selection: ReportSelection): Check[] =>
    selection.only || selection.exclude || selection.criticalOnly
      ? checks.filter(
          (c) =>
            (!selection.only || selection.only.includes(c.name)) &&
            !selection.exclude?.includes(c.name) &&
            (!selection.criticalOnly || c.critical),
        )
      : checks;

  /**
   * The last assembled check list, reused while the selection and every observation are the same objects:
   * under frequent polling most requests change nothing but the timestamp.
   */
  let lastAssembled:
    | { selected: readonly Check[]; shuttingDown: boolean; checks: CheckReport[]; status: Status }
    | undefined;

  const assemble = (
    selected: readonly Check[],
    observations: readonly Observation[],
    started: number,
    timestamp: number,
  ) => {
    const last = lastAssembled;
    let assembled: { checks: CheckReport[]; status: Status };
    if (
      last &&
      last.selected === selected &&
      last.shuttingDown === shuttingDown &&
      observations.every((o, i) => last.checks[i]!.observation === o)
    ) {
      assembled = last;
    } else {
      const reports: CheckReport[] = selected.map((c, i) => ({
        name: c.name,
        kind: c.kind,
        critical: c.critical,
        componentType: c.componentType,
        ...(c.componentId !== undefined ? { componentId: c.componentId } : {}),
        observation: observations[i]!,
      }));
      if (shuttingDown) reports.push(shutdownReport());
      assembled = { checks: reports, status: reportStatus(reports) };
      // Only the unfiltered list is worth keeping; filtered selections are new arrays each time.
      if (selected === checks) lastAssembled = { selected, shuttingDown, ...assembled };
    }
    return {
      status: assembled.status,
      timestamp,
      responseTimeMs: Math.round((performance.now() - started) * 100) / 100,
      service,
      checks: assembled.checks,
    };
  };

  /** Synchronous when every selected check has a fresh cached result: the hot path under polling. */
  const reportNowOrLater = (selection: ReportSelection = {}): HealthReport | Promise<HealthReport> => {
    const started = performance.now();
    const timestamp = now();
    const selected = select(selection);
    const cached: Observation[] = [];
    for (const check of selected) {
      const observation = runner.fresh(check, timestamp);
      if (!observation) {
        return Promise.all(selected.map((c) => runner.run(c))).then((observations) =>
          assemble(selected, observations, started, timestamp),
        );
      }
      cached.push(observation);
    }
    return assemble(selected, cached, started, timestamp);
  };
  const report = async (selection: ReportSelection = {}): Promise<HealthReport> => reportNowOrLater(selection);

  const isAuthorized = async (request: HealthRequest): Promise<boolean> => {
    if (options.token && bearerMatches(request, options.token)) return true;
    if (!options.authorize) return false;
    try {
      return (await options.authorize(request)) === true;
    } catch {
      return false;
    }
  };

  const visibilityOf = (authorized: boolean): Visibility => {
    const allowed = (policy: ShowPolicy) => policy === 'always' || (policy === 'when-authorized' && authorized);
    const components = allowed(showComponents);
    return Object.freeze({ components, details: components && allowed(showDetails) });
  };
  const authorizedVisibility = visibilityOf(true);
  const anonymousVisibility = visibilityOf(false);
  const visibilityGiven = (authorized: boolean) => (authorized ? authorizedVisibility : anonymousVisibility);
  const needsAuth = showDetails === 'when-authorized' || showComponents === 'when-authorized';
  const canAuthorize = Boolean(options.token || options.authorize);
  const visibilityFor = (request: HealthRequest): Visibility | Promise<Visibility> =>
    // Skip the Authorization header entirely when nothing could authorize the caller.
    needsAuth && canAuthorize ? isAuthorized(request).then(visibilityGiven) : visibilityGiven(false);

  // Shared, frozen header sets: responses never mutate them (the 405 path copies).
  const headersFor = (contentType: string): Readonly<Record<string, string>> =>
    Object.freeze({
      'content-type': contentType,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      vary: 'Accept, Authorization',
    });
  const headerSets = new Map<string, Readonly<Record<string, string>>>();
  const respond = (status: number, contentType: string, body: string): HealthResponse => {
    let headers = headerSets.get(contentType);
    if (!headers) {
      headers = headersFor(contentType);
      headerSets.set(contentType, headers);
    }
    return { status, headers, body };
  };
  const text = (status: number, body: string) => respond(status, 'text/plain; charset=utf-8', body);

  const renderVigilJson = createVigilJsonRenderer();
  const renderHealth = (request: HealthRequest, result: HealthReport, visibility: Visibility): HealthResponse => {
    const status = toHttpStatus(result.status, options.httpStatus);
    if (wantsHealthJson(header(request, 'accept'))) {
      return respond(status, HEALTH_JSON_MEDIA_TYPE, JSON.stringify(toHealthJson(result, visibility)));
    }
    return respond(status, 'application/json; charset=utf-8', renderVigilJson(result, visibility));
  };
  /** Synchronous when the checks are cached and no async authorization is needed. */
  const serveHealth = (request: HealthRequest): HealthResponse | Promise<HealthResponse> => {
    const pendingReport = reportNowOrLater();
    const pendingVisibility = visibilityFor(request);
    if (pendingReport instanceof Promise || pendingVisibility instanceof Promise) {
      return Promise.all([pendingReport, pendingVisibility]).then(([r, v]) => renderHealth(request, r, v));
    }
    return renderHealth(request, pendingReport, pendingVisibility);
  };

  const serveLivez = (query: URLSearchParams): HealthResponse =>
    // Liveness is the process answering; restarting it cannot fix a database, so nothing external counts.
    text(
      200,
      toProbeText('livez', [{ name: 'ping', ok: true }], { verbose: query.has('verbose'), showReasons: false }),
    );

  const serveReadyz = async (request: HealthRequest, rest: string, query: URLSearchParams) => {
    const showReasons = (await visibilityFor(request)).details;
    if (rest) {
      const name = safeDecode(rest);
      const check = byName.get(name);
      if (name === SHUTDOWN_CHECK) {
        return shuttingDown ? text(503, `${SHUTDOWN_CHECK} check failed\n`) : text(200, 'ok\n');
      }
      if (!check) return text(404, `no check named ${JSON.stringify(name).slice(1, -1)}\n`);
      const observation = await runner.run(check);
      const ok = observation.status !== 'unhealthy';
      if (ok) return text(200, 'ok\n');
      const reason = showReasons && observation.error ? `: ${observation.error.replace(/[\r\n]+/g, ' ')}` : '';
      return text(503, `[-]${check.name} failed${reason}\n${check.name} check failed\n`);
    }
    const exclude = query.getAll('exclude').flatMap((v) => v.split(','));
    const result = await report({ criticalOnly: true, exclude });
    const lines: ProbeLine[] = result.checks.map((c) => ({
      name: c.name,
      // Degraded still serves traffic, so it stays in rotation.
      ok: c.observation.status !== 'unhealthy',
      ...(c.observation.error !== undefined ? { reason: c.observation.error } : {}),
    }));
    for (const name of exclude) if (byName.get(name)?.critical) lines.push({ name, ok: true, excluded: true });
    const ok = lines.every((l) => l.ok || l.excluded);
    return text(ok ? 200 : 503, toProbeText('readyz', lines, { verbose: query.has('verbose'), showReasons }));
  };

  /** Metrics carry no error texts; by default they are served to anyone, like the component statuses. */
  const serveMetrics = async (request: HealthRequest): Promise<HealthResponse> => {
    if (metricsRequireAuthorization && !(await isAuthorized(request))) {
      const r = text(401, 'unauthorized\n');
      return { ...r, headers: { ...r.headers, 'www-authenticate': 'Bearer' } };
    }
    const scrape = await metricsInternals.metrics.scrape({ accept: header(request, 'accept') });
    return respond(200, scrape.contentType, scrape.body);
  };

  const failed = () => text(500, 'health endpoint error\n');

  const dispatch = (request: HealthRequest): HealthResponse | undefined | Promise<HealthResponse | undefined> => {
    const { path, search } = splitUrl(request.url);
    const route =
      path === paths.health
        ? 'health'
        : path === paths.livez
          ? 'livez'
          : path === paths.metrics
            ? 'metrics'
            : paths.readyz && (path === paths.readyz || path.startsWith(`${paths.readyz}/`))
              ? 'readyz'
              : undefined;
    if (!route) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const r = text(405, 'method not allowed\n');
      return { ...r, headers: { ...r.headers, allow: 'GET, HEAD' } };
    }
    // Checks never reject; the guards below keep a rendering bug from leaving a request unanswered.
    try {
      const response =
        route === 'health'
          ? serveHealth(request)
          : route === 'livez'
            ? serveLivez(new URLSearchParams(search))
            : route === 'metrics'
              ? serveMetrics(request)
              : serveReadyz(request, path.slice((paths.readyz as string).length + 1), new URLSearchParams(search));
      return response instanceof Promise ? response.catch(failed) : response;
    } catch {
      return failed();
    }
  };

  return {
    get checks() {
      return checks;
    },
    paths,
    get shuttingDown() {
      return shuttingDown;
    },
    addCheck,
    report,
    handle: async (request) => dispatch(request),
    dispatch,
    beginShutdown() {
      if (!shuttingDown) shutdownAt = now();
      shuttingDown = true;
    },
    lastObservation: (name) => runner.last(name),
    metrics: metricsInternals.metrics,
  };
}

function validPath(which: string, path: string | false): string | false {
  if (path === false) return false;
  if (typeof path !== 'string' || !path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new TypeError(
      `paths.${which} must start with "/" and contain no query, fragment or space (got ${JSON.stringify(path)})`,
    );
  }
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** A malformed escape (`/readyz/%E0`) names no check rather than failing the endpoint. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
