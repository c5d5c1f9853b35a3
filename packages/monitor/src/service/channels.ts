/**
 * The notification channels of the running configuration, for the API: their names and types (never their
 * settings, which hold URLs and keys), and a test message through one of them, sent now with the code `vigil
 * notify test` uses, within the alerts' `send_timeout` (at most `TEST_TIMEOUT_MS`). A reload applies at once: the
 * configuration is read at each call.
 */
import type { ChannelControl } from '../api/types.js';
import type { VigilConfig } from '../config/index.js';
import { sendTestMessage, TEST_TIMEOUT_MS } from '../notify/test-message.js';

export function channelControl(config: () => VigilConfig): ChannelControl {
  return {
    list: () => Object.entries(config().alerts.channels).map(([name, settings]) => ({ name, type: settings.type })),
    test: async (name) => {
      const alerts = config().alerts;
      // Own keys only: `toString` is not a channel.
      const settings = Object.hasOwn(alerts.channels, name) ? alerts.channels[name] : undefined;
      if (settings === undefined) return undefined;
      const { sent, durationMs } = await sendTestMessage(settings, name, { timeoutMs: Math.min(alerts.send_timeout, TEST_TIMEOUT_MS) });
      const status = sent.status === undefined ? {} : { status: sent.status };
      return sent.outcome === 'delivered'
        ? { delivered: true, ...status, durationMs }
        : { delivered: false, error: sent.error, ...status, durationMs };
    },
  };
}
