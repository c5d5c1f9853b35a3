/**
 * `prometheus.yml`: scrape the app, its worker sidecar, the Vigil monitor (each when given) and node_exporter;
 * evaluate alert_rules.yml; send alerts to the Alertmanager of docker-compose.yml.
 */
import { GENERATED_NOTICE, yamlFile } from './format.js';
import { NODE_JOB, type ScrapeTarget, type StackOptions } from './options.js';

/** As the seed recipe: every 30 s, a scrape given 10 s. */
export const SCRAPE_INTERVAL = '30s';
export const SCRAPE_TIMEOUT = '10s';

/** Service names and ports inside docker-compose.yml. */
export const ALERTMANAGER_ADDRESS = 'alertmanager:9093';
export const NODE_EXPORTER_ADDRESS = 'node-exporter:9100';

function scrapeJob(target: ScrapeTarget) {
  return {
    job_name: target.job,
    scheme: target.scheme,
    metrics_path: target.metricsPath,
    ...(Object.keys(target.params).length > 0 ? { params: target.params } : {}),
    scrape_interval: SCRAPE_INTERVAL,
    scrape_timeout: SCRAPE_TIMEOUT,
    static_configs: [{ targets: [target.address] }],
  };
}

export function prometheusFile(options: StackOptions): string {
  const targets = [options.app, options.worker, options.monitor].filter((target) => target !== undefined);
  const config = {
    global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: SCRAPE_TIMEOUT, evaluation_interval: SCRAPE_INTERVAL },
    // Relative to this file, in the container as with promtool.
    rule_files: ['alert_rules.yml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [ALERTMANAGER_ADDRESS] }] }] },
    scrape_configs: [
      ...targets.map(scrapeJob),
      {
        job_name: NODE_JOB,
        scrape_interval: SCRAPE_INTERVAL,
        scrape_timeout: SCRAPE_TIMEOUT,
        static_configs: [{ targets: [NODE_EXPORTER_ADDRESS] }],
      },
    ],
  };
  return yamlFile(config, [GENERATED_NOTICE, 'Check it with: promtool check config prometheus.yml']);
}
