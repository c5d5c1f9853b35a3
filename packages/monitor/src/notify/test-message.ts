/**
 * A test message through one channel, sent now, as `vigil notify test <channel>` and `POST
 * /api/v1/channels/{name}/test` send it: the same notification (`kind: test`), the channel's own notifier, and a
 * deadline that holds even for a notifier that ignores its signal. Nothing is written to the outbox. What comes
 * back never holds the channel's URL or credentials: the notifiers leave them out of their errors, and the values
 * of the channel's secret fields are masked again here.
 */
import { sanitizeMessage } from '@vigil/core';
import { describeError } from '../log/logger.js';
import { collectSecrets } from '../config/schema-walk.js';
import { type ChannelSettings, channelSettings, createNotifier } from './channels/index.js';
import { urlSecrets } from './channels/shared.js';
import type { Notification, SendOutcome } from './notifier.js';

/** How long `vigil notify test` waits for the receiver. */
export const TEST_TIMEOUT_MS = 15_000;

/** The test notification for a channel, made at `at`. */
export function testNotification(channel: string, at: number): Notification {
  return {
    idempotencyKey: `test/${channel}/${at}`,
    alertKey: `test/${channel}`,
    kind: 'test',
    severity: 'info',
    monitor: { id: 'vigil-test', name: 'Vigil test', type: 'test' },
    location: 'local',
    state: 'healthy',
    at,
  };
}

export interface TestSend {
  sent: SendOutcome;
  /** From the start of the send to its outcome (or to the deadline). */
  durationMs: number;
}

export interface TestSendOptions {
  /** The deadline: the send is aborted, and answered as not delivered, this long after it starts. */
  timeoutMs: number;
  now?: () => number;
}

/**
 * The values of the channel's secret fields (its URL, headers, tokens, password) and the parts of those URLs that
 * are secrets on their own; the longest first, so that a part never splits a whole.
 */
function settingsSecrets(settings: ChannelSettings): string[] {
  const found = collectSecrets(channelSettings, settings).flatMap((value) =>
    /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? [value, ...urlSecrets(value)] : [value],
  );
  return [...new Set(found)].sort((a, b) => b.length - a.length);
}

/** Sends the test notification through the channel's notifier, within `timeoutMs`; never throws. */
export async function sendTestMessage(settings: ChannelSettings, channel: string, options: TestSendOptions): Promise<TestSend> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<SendOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${options.timeoutMs} ms`));
      resolve({ outcome: 'transient', error: `no answer within the time allowed (${options.timeoutMs} ms)` });
    }, options.timeoutMs);
  });
  let sent: SendOutcome;
  try {
    const notifier = createNotifier(settings, { channel });
    sent = await Promise.race([notifier.send(testNotification(channel, now()), { signal: controller.signal }), deadline]);
  } catch (error) {
    sent = { outcome: 'transient', error: `the notifier failed: ${describeError(error)}` };
  } finally {
    clearTimeout(timer);
  }
  const durationMs = Math.round(performance.now() - started);
  const secrets = settingsSecrets(settings);
  if (sent.outcome === 'delivered') {
    return { sent: sent.response === undefined ? sent : { ...sent, response: sanitizeMessage(sent.response, secrets) }, durationMs };
  }
  return { sent: { ...sent, error: sanitizeMessage(sent.error, secrets) }, durationMs };
}
