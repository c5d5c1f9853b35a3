import { metricDefinition, type MetricType } from '@vigil/core';

/**
 * The name, help and labels of a metric @vigil/health serves, taken from the catalogue in @vigil/core (the
 * contract that alert rules, dashboards and docs are checked against), so the two cannot drift apart.
 */
export function catalogMetric(
  name: string,
  type: MetricType,
): { name: string; help: string; labelNames: string[] } {
  const definition = metricDefinition(name);
  if (!definition || definition.source !== 'health' || definition.type !== type) {
    throw new Error(`${name} is not a ${type} of source "health" in @vigil/core's METRICS catalogue`);
  }
  return { name, help: definition.help, labelNames: [...definition.labels] };
}
