/**
 * `alert_rules_test.yml`: promtool unit tests for every rule in alert_rules.yml — a case where it fires, with the
 * exact labels and annotations expected, and cases where it stays silent. Run: promtool test rules alert_rules_test.yml
 */
import { GENERATED_NOTICE, renderAnnotation, yamlFile } from './format.js';
import { alertRuleGroups } from './rules.js';
import type { StackOptions } from './options.js';

export function alertRulesTestFile(options: StackOptions): string {
  const tests = alertRuleGroups(options).flatMap((group) =>
    group.rules.flatMap((rule) =>
      rule.cases.map((testCase) => ({
        name: testCase.name,
        interval: '1m',
        input_series: testCase.series,
        alert_rule_test: testCase.evals.map((evaluation) => ({
          eval_time: evaluation.at,
          alertname: rule.alert,
          exp_alerts: evaluation.alerts.map((alert) => ({
            exp_labels: { ...alert.labels, severity: rule.severity },
            exp_annotations: {
              summary: renderAnnotation(rule.summary, alert.labels, alert.value),
              description: renderAnnotation(rule.description, alert.labels, alert.value),
            },
          })),
        })),
      })),
    ),
  );
  return yamlFile({ rule_files: ['alert_rules.yml'], evaluation_interval: '1m', tests }, [
    GENERATED_NOTICE,
    'Unit tests of alert_rules.yml; eval_time is an offset from the Unix epoch (1970-01-01 00:00 UTC).',
    'Run them with: promtool test rules alert_rules_test.yml',
  ]);
}
