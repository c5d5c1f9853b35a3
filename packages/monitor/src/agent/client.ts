/**
 * What an agent asks of its server, over the REST API with its agent token: its monitors
 * (`GET /api/v1/agent/monitors?location=NAME`, with `If-None-Match`) and where its results go
 * (`POST /api/v1/results`). Each answer is sorted into what the agent does next: go on, try again later (the server
 * cannot be reached, or answered 5xx), drop what the server refused (it will never take it), or stop (the token is
 * refused: nothing will work until someone changes it). The token is sent in one header and appears nowhere else.
 */
import { redactUrlText } from '../api/redact.js';
import { describeError } from '../log/logger.js';

export const AGENT_USER_AGENT = 'vigil-agent';

/** One monitor as the server sends it: the configuration as loaded, secrets included. */
export interface AgentMonitorJson {
  id: string;
  name: string;
  type: string;
  config: Record<string, unknown>;
}

/** A field problem the server named (`results.3.monitor`). */
export interface RefusedIssue {
  path: string;
  message: string;
}

export type SendOutcome =
  | { kind: 'stored'; accepted: number; skipped: number }
  /** Not reached, or 5xx / 429: the same results are sent again later. */
  | { kind: 'retry'; reason: string }
  /** 422: these results (by their index in the batch) will never be taken; the others may be sent again. */
  | { kind: 'refused'; reason: string; indices: number[]; issues: RefusedIssue[] }
  /** 400, 413…: the whole batch will never be taken. */
  | { kind: 'invalid'; reason: string };

export type MonitorsOutcome =
  | { kind: 'changed'; etag?: string; monitors: AgentMonitorJson[] }
  | { kind: 'same' }
  | { kind: 'retry'; reason: string };

/** Nothing the agent does can work until someone changes its setup: a wrong token, scope, server or location. */
export class AgentFatalError extends Error {
  override readonly name = 'AgentFatalError';
}

export interface AgentClientOptions {
  /** The server's URL (`https://vigil.example.com`, a path prefix allowed). */
  server: string;
  token: string;
  location: string;
  /** Each request's deadline. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface ErrorBody {
  error?: { code?: string; message?: string; issues?: RefusedIssue[] };
}

export class AgentClient {
  private readonly base: URL;
  private readonly shown: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: AgentClientOptions) {
    this.base = new URL(options.server.endsWith('/') ? options.server : `${options.server}/`);
    this.shown = redactUrlText(this.base.origin + this.base.pathname.replace(/\/$/, ''));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? fetch;
  }

  /** The server as it may be shown: without credentials. */
  get server(): string {
    return this.shown;
  }

  /** The monitors of the agent's location; `same` when they are those of `etag`. Throws AgentFatalError. */
  async monitors(etag: string | undefined, signal?: AbortSignal): Promise<MonitorsOutcome> {
    const url = new URL(`api/v1/agent/monitors?location=${encodeURIComponent(this.options.location)}`, this.base);
    const answer = await this.request(url, { method: 'GET', headers: etag === undefined ? {} : { 'If-None-Match': etag } }, signal);
    if ('reason' in answer) return { kind: 'retry', reason: answer.reason };
    const { response, body } = answer;
    if (response.status === 304) return { kind: 'same' };
    if (response.status === 200) {
      const monitors = (body as { monitors?: unknown }).monitors;
      if (!Array.isArray(monitors)) return { kind: 'retry', reason: 'the server answered 200 without a list of monitors' };
      const tag = response.headers.get('etag');
      return { kind: 'changed', ...(tag === null ? {} : { etag: tag }), monitors: monitors as AgentMonitorJson[] };
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      return { kind: 'retry', reason: `the server answered HTTP ${response.status}${this.messageOf(body)}` };
    }
    throw this.fatal(response.status, body);
  }

  /** Sends serialized results (as the buffer holds them). Throws AgentFatalError. */
  async send(lines: readonly string[], signal?: AbortSignal): Promise<SendOutcome> {
    const url = new URL('api/v1/results', this.base);
    const body = `{"location":${JSON.stringify(this.options.location)},"results":[${lines.join(',')}]}`;
    const answer = await this.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body }, signal);
    if ('reason' in answer) return { kind: 'retry', reason: answer.reason };
    const { response, body: reply } = answer;
    if (response.status === 200) {
      const counts = reply as { accepted?: number; skipped?: number };
      return { kind: 'stored', accepted: counts.accepted ?? 0, skipped: counts.skipped ?? 0 };
    }
    if (response.status >= 500 || response.status === 429 || response.status === 408) {
      return { kind: 'retry', reason: `the server answered HTTP ${response.status}${this.messageOf(reply)}` };
    }
    if (response.status === 422) {
      const issues = (reply as ErrorBody).error?.issues ?? [];
      if (issues.some((issue) => issue.path === 'location')) throw this.fatal(response.status, reply);
      const indices = [...new Set(issues.map((issue) => /^results\.(\d+)\./.exec(issue.path)?.[1]).filter((i): i is string => i !== undefined).map(Number))];
      return { kind: 'refused', reason: `HTTP 422${this.messageOf(reply)}`, indices, issues };
    }
    if (response.status === 401 || response.status === 403 || response.status === 404) throw this.fatal(response.status, reply);
    return { kind: 'invalid', reason: `HTTP ${response.status}${this.messageOf(reply)}` };
  }

  private async request(
    url: URL,
    init: { method: string; headers: Record<string, string>; body?: string },
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; body: unknown } | { reason: string }> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.fetch(url, {
        method: init.method,
        headers: { ...init.headers, Authorization: `Bearer ${this.options.token}`, 'User-Agent': AGENT_USER_AGENT, Accept: 'application/json' },
        ...(init.body === undefined ? {} : { body: init.body }),
        signal: signal === undefined ? deadline : AbortSignal.any([signal, deadline]),
        redirect: 'error',
      });
      const text = response.status === 304 ? '' : await response.text();
      let body: unknown = undefined;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { response, body };
    } catch (error) {
      if (deadline.aborted) return { reason: `no answer within ${this.timeoutMs / 1000} s` };
      return { reason: this.reasonOf(error) };
    }
  }

  /** Why a request failed, as can be shown: the cause's code (ECONNREFUSED…), never a header. */
  private reasonOf(error: unknown): string {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? (cause?.message !== undefined ? describeError(cause.message) : describeError(error));
    return `${this.shown} cannot be reached (${why})`;
  }

  private messageOf(body: unknown): string {
    const message = (body as ErrorBody | undefined)?.error?.message;
    return typeof message === 'string' ? `: ${describeError(message)}` : '';
  }

  private fatal(status: number, body: unknown): AgentFatalError {
    const said = this.messageOf(body);
    if (status === 401) {
      return new AgentFatalError(
        `the server ${this.shown} refused the token (HTTP 401${said}): check --token / VIGIL_TOKEN; create an agent token with \`vigil token create --name NAME --scope agent\``,
      );
    }
    if (status === 403) {
      return new AgentFatalError(
        `the server ${this.shown} refused the token (HTTP 403${said}): an agent needs a token of scope agent, made with \`vigil token create --name NAME --scope agent\``,
      );
    }
    if (status === 404) {
      return new AgentFatalError(`${this.shown} has no agent endpoints (HTTP 404): is --server the URL of vigil serve, of a version with agents?`);
    }
    return new AgentFatalError(`the server ${this.shown} refused this agent (HTTP ${status}${said})`);
  }
}
