/**
 * Alerting, as the service runs it: the notifiers of the configured channels (rebuilt on reload), how each monitor
 * alerts (its rule resolved from defaults, group and its own `alerts:`, the channels its severity routes to), and
 * the dispatcher that sends what the check pipeline wrote to the outbox.
 */
import { describeTarget } from '../api/redact.js';
import { resolveAlertRule } from '../config/alerts.js';
import type { MonitorConfig, VigilConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { AlertProgress, MonitorState } from '../model.js';
import { createNotifier } from '../notify/channels/index.js';
import { type DispatcherOptions, NotificationDispatcher } from '../notify/dispatcher.js';
import type { Notifier } from '../notify/notifier.js';
import type { MonitorAlerting } from '../pipeline/pipeline.js';
import type { ClaimedNotification, DeliveryAttempt, Store } from '../store/store.js';

export type AttemptListener = (channel: string, outcome: DeliveryAttempt['outcome'] | 'dead', notification: ClaimedNotification) => void;

/** An alert that is open now, for re-posting to Alertmanager channels. */
export interface OpenAlert {
  monitorId: string;
  location: string;
  state: MonitorState;
  open: NonNullable<AlertProgress['open']>;
}

export interface AlertingOptions {
  store: Store;
  logger: Logger;
  config: VigilConfig;
  /** A monitor of the running configuration (either source). */
  monitorOf: (id: string) => MonitorConfig | undefined;
  /** The alerts open now. */
  openAlerts?: () => Iterable<OpenAlert>;
  /** How often open alerts are posted again to Alertmanager channels. Default 5 minutes. */
  repostEveryMs?: number;
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
              certificateDays: rule.certificateDays,
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
    this.scheduleRepost();
  }

  /**
   * Alertmanager ends an alert at its `endsAt`: an alert that lasts is posted again every few minutes with a new
   * `endsAt` (as Prometheus does), straight to its Alertmanager channels — best effort, since a lost re-post is
   * made good by the next one. Other channels are not re-posted (their users get reminders, if they ask).
   */
  async repostOpenAlerts(): Promise<number> {
    let posted = 0;
    for (const alert of this.options.openAlerts?.() ?? []) {
      const alerting = this.of(alert.monitorId);
      if (alerting === undefined) continue;
      const channels = alert.open.escalated ? [...alerting.channels, ...(alerting.escalateTo ?? [])] : alerting.channels;
      for (const channel of new Set(channels)) {
        if (this.config.alerts.channels[channel]?.type !== 'alertmanager') continue;
        const notifier = this.notifiers.get(channel);
        if (notifier === undefined) continue;
        const at = Date.now();
        const alertKey = `${alert.monitorId}/${alert.location}/${alert.open.trigger}`;
        const sent = await notifier.send(
          {
            idempotencyKey: `${alertKey}/repost/${at}/${channel}`,
            alertKey,
            kind: 'reminder',
            severity: alerting.severity,
            monitor: alerting.monitor,
            location: alert.location,
            state: alert.state,
            at,
            since: alert.open.since,
            ...(alerting.url !== undefined ? { url: alerting.url } : {}),
          },
          { signal: AbortSignal.timeout(this.config.alerts.send_timeout) },
        );
        if (sent.outcome === 'delivered') posted++;
        else {
          this.options.logger.warn(
            { event: 'repost_failed', channel, monitor: alert.monitorId, error: sent.error },
            `posting the open alert of ${alert.monitorId} to ${channel} again failed: ${sent.error}`,
          );
        }
      }
    }
    return posted;
  }

  private repostTimer: NodeJS.Timeout | undefined;

  private scheduleRepost(): void {
    this.repostTimer = setTimeout(() => {
      void this.repostOpenAlerts()
        .catch((error: unknown) => this.options.logger.error({ event: 'repost_failed', error: String(error) }, 'posting open alerts again failed'))
        .finally(() => {
          if (this.repostTimer !== undefined) this.scheduleRepost();
        });
    }, this.options.repostEveryMs ?? 5 * 60_000);
    this.repostTimer.unref?.();
  }

  /** The pipeline committed notifications. */
  wake(): void {
    this.dispatcher.wake();
  }

  stop(): Promise<void> {
    clearTimeout(this.repostTimer);
    this.repostTimer = undefined;
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
