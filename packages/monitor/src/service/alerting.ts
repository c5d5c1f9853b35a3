/**
 * Alerting, as the service runs it: the notifiers of the configured channels (rebuilt on reload), how each monitor
 * alerts (its rule resolved from defaults, group and its own `alerts:`, the channels its severity routes to), and
 * the dispatcher that sends what the check pipeline wrote to the outbox.
 */
import { describeTarget } from '../api/redact.js';
import { resolveAlertRule } from '../config/alerts.js';
import type { MonitorConfig, VigilConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { createNotifier } from '../notify/channels/index.js';
import { type DispatcherOptions, NotificationDispatcher } from '../notify/dispatcher.js';
import type { Notifier } from '../notify/notifier.js';
import type { MonitorAlerting } from '../pipeline/pipeline.js';
import type { ClaimedNotification, DeliveryAttempt, Store } from '../store/store.js';

export type AttemptListener = (channel: string, outcome: DeliveryAttempt['outcome'] | 'dead', notification: ClaimedNotification) => void;

export interface AlertingOptions {
  store: Store;
  logger: Logger;
  config: VigilConfig;
  /** A monitor of the running configuration (either source). */
  monitorOf: (id: string) => MonitorConfig | undefined;
  /** Dispatcher settings (tests shorten the times). */
  dispatcher?: Partial<Omit<DispatcherOptions, 'store' | 'notifierOf' | 'logger'>>;
}

export class Alerting {
  readonly dispatcher: NotificationDispatcher;
  private config: VigilConfig;
  private notifiers = new Map<string, Notifier>();
  /** Per monitor, for this configuration version (a reload or an API change builds it again). */
  private readonly resolved = new Map<string, { source: MonitorConfig; alerting: MonitorAlerting | undefined }>();
  private readonly listeners: AttemptListener[] = [];

  constructor(private readonly options: AlertingOptions) {
    this.config = options.config;
    this.buildNotifiers();
    this.dispatcher = new NotificationDispatcher({
      store: options.store,
      logger: options.logger,
      notifierOf: (channel) => this.notifiers.get(channel),
      perChannelPerMinute: () => this.config.alerts.per_channel_per_minute,
      sendTimeoutMs: this.config.alerts.send_timeout,
      onAttempt: (channel, outcome, notification) => {
        for (const listener of this.listeners) listener(channel, outcome, notification);
      },
      ...options.dispatcher,
    });
  }

  /** Told of every delivery attempt (metrics). */
  onAttempt(listener: AttemptListener): void {
    this.listeners.push(listener);
  }

  /** How a monitor alerts now; undefined when it does not (no channel, or alerts off). */
  of(monitorId: string): MonitorAlerting | undefined {
    const monitor = this.options.monitorOf(monitorId);
    if (monitor === undefined) return undefined;
    const cached = this.resolved.get(monitorId);
    if (cached !== undefined && cached.source === monitor) return cached.alerting;
    const rule = resolveAlertRule(this.config.alerts, monitor);
    const alerting: MonitorAlerting | undefined =
      !rule.enabled || rule.channels.length === 0
        ? undefined
        : {
            // A heartbeat's result is an event (a failure ping, a missed one), not one of a series of checks: it
            // alerts at the first and resolves at the next success ping.
            rule: {
              failureThreshold: monitor.type === 'heartbeat' ? 1 : rule.failureThreshold,
              successThreshold: monitor.type === 'heartbeat' ? 1 : rule.successThreshold,
              sendResolved: rule.sendResolved,
              remindEveryMs: rule.remindEveryMs,
              onDegraded: rule.onDegraded,
              escalateAfterMs: rule.escalateTo.length > 0 ? rule.escalateAfterMs : 0,
            },
            escalateTo: rule.escalateTo,
            severity: rule.severity,
            channels: rule.channels,
            monitor: {
              id: monitor.id,
              name: monitor.name,
              type: monitor.type,
              ...(monitor.group !== undefined ? { group: monitor.group } : {}),
              target: describeTarget(monitor),
            },
            ...(this.config.server.public_url !== undefined
              ? { url: `${this.config.server.public_url.replace(/\/$/, '')}/api/v1/monitors/${encodeURIComponent(monitor.id)}` }
              : {}),
          };
    this.resolved.set(monitorId, { source: monitor, alerting });
    return alerting;
  }

  /** A reload: new channels and rules. Notifications already in the outbox go to the channel of their name. */
  reconfigure(config: VigilConfig): void {
    this.config = config;
    this.resolved.clear();
    this.buildNotifiers();
  }

  start(): void {
    this.dispatcher.start();
  }

  /** The pipeline committed notifications. */
  wake(): void {
    this.dispatcher.wake();
  }

  stop(): Promise<void> {
    return this.dispatcher.stop();
  }

  private buildNotifiers(): void {
    const notifiers = new Map<string, Notifier>();
    for (const [channel, settings] of Object.entries(this.config.alerts.channels)) {
      notifiers.set(channel, createNotifier(settings, { channel }));
    }
    this.notifiers = notifiers;
  }
}
