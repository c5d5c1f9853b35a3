/**
 * `vigil stack`: the Prometheus / Alertmanager / Grafana folder for an app, its worker sidecar and the Vigil
 * monitor. Each generated file has its own module; this one lists them and writes the folder.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { alertmanagerFile } from './alertmanager.js';
import { composeFile, gitignoreFile } from './compose.js';
import { jsonFile } from './format.js';
import { applicationDashboard } from './grafana/application.js';
import { jobsDashboard } from './grafana/jobs.js';
import { monitorDashboard } from './grafana/monitor.js';
import { dashboardProvidersFile, datasourcesFile } from './grafana/provisioning.js';
import { prometheusFile } from './prometheus.js';
import { readmeFile } from './readme.js';
import { alertRulesTestFile } from './rule-tests.js';
import { alertRulesFile } from './rules.js';
import type { StackOptions } from './options.js';

export * from './options.js';
export { metricNames, isAllowedMetric, unknownMetrics, EXAMPLE_BUSINESS_METRICS } from './promql.js';
export { dashboardExpressions } from './grafana/model.js';
export { alertRuleGroups } from './rules.js';

/** Every file of the folder, by path relative to it (POSIX separators), in a fixed order. */
export function generateStack(options: StackOptions): Map<string, string> {
  const files: [string, string][] = [
    ['README.md', readmeFile(options)],
    ['.gitignore', gitignoreFile()],
    ['prometheus.yml', prometheusFile(options)],
    ['alert_rules.yml', alertRulesFile(options)],
    ['alert_rules_test.yml', alertRulesTestFile(options)],
    ['alertmanager.yml', alertmanagerFile(options)],
    ['docker-compose.yml', composeFile(options)],
    ['grafana/provisioning/datasources/prometheus.yml', datasourcesFile()],
    ['grafana/provisioning/dashboards/vigil.yml', dashboardProvidersFile()],
    ['grafana/dashboards/vigil-application.json', jsonFile(applicationDashboard(options))],
    ['grafana/dashboards/vigil-jobs.json', jsonFile(jobsDashboard(options))],
    ['grafana/dashboards/vigil-monitor.json', jsonFile(monitorDashboard(options))],
  ];
  return new Map(files);
}

/**
 * Writes the files under `dir`, creating it. A folder that already holds anything is refused unless `force`,
 * which overwrites the generated files and leaves any other file alone.
 */
export async function writeStack(dir: string, files: Map<string, string>, force = false): Promise<void> {
  const existing = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR') throw new Error(`--out: ${dir} is a file, not a folder`);
    throw new Error(`--out: cannot read ${dir}: ${error.message}`);
  });
  if (existing.length > 0 && !force) {
    throw new Error(`--out: ${dir} is not empty; pass --force to overwrite the generated files in it`);
  }
  for (const [relative, content] of files) {
    const target = path.join(dir, ...relative.split('/'));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}
