import { describe, expect, it } from 'vitest';
import { isAllowedMetric, metricNames, unknownMetrics } from '../src/stack/index.js';

describe('metricNames', () => {
  it.each([
    ['up{job="shop"} == 0', ['up']],
    ['vigil_health_status', ['vigil_health_status']],
    ['sum by (job, instance) (increase(vigil_errors_total{job=~"a|b"}[1h])) > 50', ['vigil_errors_total']],
    ['sum(rate(a_total[5m])) by (le, job)', ['a_total']],
    [
      'histogram_quantile(0.95, sum by (le, check) (rate(vigil_check_duration_seconds_bucket{job="$job"}[$__rate_interval])))',
      ['vigil_check_duration_seconds_bucket'],
    ],
    ['a / on (job) group_left (version) b', ['a', 'b']],
    ['x unless ignoring (kind) y', ['x', 'y']],
    ['shop_sales_today == 0 and on () hour() >= 10 and on () hour() < 22', ['shop_sales_today']],
    ['vigil_probe_ssl_earliest_cert_expiry - time() < 14 * 86400', ['vigil_probe_ssl_earliest_cert_expiry']],
    ['count(m{status="down"} == 1) or vector(0)', ['m']],
    ['avg_over_time(m[$__range]) offset 1h30m', ['m']],
    ['rate(m[5m:30s] @ start())', ['m']],
    ['{__name__="by_name", job="x"}', ['by_name']],
    ['m{label="sum(other) by (x)"} + 1e3 + 0x1F + 1.5e-3 + Inf + NaN', ['m']],
    ['SUM BY (job) (m) AND BOOL n', ['m', 'n']],
    ['a:recorded:rate5m > bool 0', ['a:recorded:rate5m']],
    ['m # a comment naming not_a_metric', ['m']],
    ['a{job="${job}"} + a', ['a']],
    ['label_values(vigil_health_status{job="$job"}, instance)', ['vigil_health_status']],
    ['label_values(job)', []],
    ['topk(3, sum without (instance) (m))', ['m']],
  ])('%s', (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe('isAllowedMetric', () => {
  it('accepts catalogue metrics, histogram series, up and node_*', () => {
    for (const name of [
      'vigil_check_up',
      'vigil_queue_jobs',
      'vigil_check_duration_seconds_bucket',
      'vigil_queue_job_duration_seconds_count',
      'up',
      'node_cpu_seconds_total',
    ]) {
      expect(isAllowedMetric(name), name).toBe(true);
    }
  });

  it('refuses unknown names, suffixes of non-histograms, and business names unless allowed', () => {
    expect(unknownMetrics('vigil_check_ups + vigil_check_up_bucket + scoopjoy_errors_last_hour')).toEqual([
      'vigil_check_ups',
      'vigil_check_up_bucket',
      'scoopjoy_errors_last_hour',
    ]);
    expect(isAllowedMetric('shop_sales_today')).toBe(false);
    expect(isAllowedMetric('shop_sales_today', true)).toBe(true);
    expect(isAllowedMetric('shop_orders_total', true)).toBe(false);
  });
});
