/** A notification to render templates with when the configuration loads: a template that fails is refused then. */
import type { Notification } from '../notifier.js';
import { templateProblem } from '../template.js';

export const SAMPLE_NOTIFICATION: Notification = {
  idempotencyKey: 'shop-api/local/1/ops',
  alertKey: 'shop-api/local/1',
  kind: 'trigger',
  severity: 'critical',
  monitor: { id: 'shop-api', name: 'Shop "API" <prod>', type: 'http', group: 'Shop', target: 'https://shop.example.com/health' },
  location: 'local',
  state: 'unhealthy',
  cause: 'GET https://shop.example.com/health returned status 503 (expected 200-299)\nsecond line',
  at: Date.UTC(2025, 0, 15, 12, 0, 0),
  since: Date.UTC(2025, 0, 15, 11, 57, 0),
  url: 'https://vigil.example.com/monitors/shop-api',
};

/** Why a template is refused: it does not parse, or what it renders is not what the target takes. */
export function checkTemplate(template: string, check: (template: string) => unknown): string | undefined {
  const problem = templateProblem(template);
  if (problem) return `invalid template: ${problem}`;
  try {
    check(template);
    return undefined;
  } catch (error) {
    return `the template does not render to what the receiver takes, for a sample notification: ${error instanceof Error ? error.message : String(error)}`;
  }
}
