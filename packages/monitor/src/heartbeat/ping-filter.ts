/**
 * Which pings count, per heartbeat: the HTTP methods (`methods: [POST]` keeps link checkers that GET every URL
 * from counting as a success) and keywords that decide a plain ping from its body, as Healthchecks.io's filters do.
 * A ping that does not count is ignored: answered `OK` and logged, but it changes nothing.
 */
import type { PingMethod } from '../config/monitors/heartbeat.js';
import type { HeartbeatPing } from './tracker.js';

export interface PingFilterConfig {
  methods?: readonly PingMethod[] | undefined;
  keywords?:
    | {
        success: readonly string[];
        failure: readonly string[];
        start: readonly string[];
        unmatched: 'ignore' | 'fail';
      }
    | undefined;
}

export type PingDecision = { ping: HeartbeatPing } | { ignored: string };

const found = (body: string, keywords: readonly string[]): string | undefined =>
  keywords.find((keyword) => body.includes(keyword.toLowerCase()));

/**
 * What a ping does under a heartbeat's filters. Keywords apply to the plain form only (`/ping/<key>`): `/fail`,
 * `/start`, `/log` and exit statuses say what they mean. Failure keywords are looked for first, so a body with both
 * "done" and "error" is a failure.
 */
export function decidePing(filter: PingFilterConfig, ping: HeartbeatPing, method: PingMethod): PingDecision {
  if (filter.methods !== undefined && !filter.methods.includes(method)) {
    return { ignored: `method ${method} is not counted (methods: ${filter.methods.join(', ')})` };
  }
  const keywords = filter.keywords;
  if (keywords === undefined || ping.action !== 'success' || ping.exitStatus !== undefined) return { ping };
  const body = (ping.body ?? '').toLowerCase();
  const failure = found(body, keywords.failure);
  if (failure !== undefined) return { ping: { ...ping, action: 'fail', reason: `failure keyword "${failure}" in the body` } };
  if (found(body, keywords.success) !== undefined) return { ping };
  if (found(body, keywords.start) !== undefined) return { ping: { ...ping, action: 'start' } };
  if (keywords.unmatched === 'fail') return { ping: { ...ping, action: 'fail', reason: 'no keyword matched the body' } };
  return { ignored: 'no keyword matched' };
}
