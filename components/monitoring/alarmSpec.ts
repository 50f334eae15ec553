import * as pulumi from "@pulumi/pulumi";

// What an alarm of `Alarms` is made of: alarms.ts builds one MetricAlarm from each spec.

/**
 * Alarms that fire together for one failure page once, through a composite alarm: an API outage
 * raises 5xx, latency, unhealthy hosts and missing tasks at once; a struggling Redis node, or a
 * shared cause (failover), raises several node alarms.
 */
export const COMPOSITES = {
  "api-degraded": "The API is failing or slow (any of its 5xx, latency, health-check or task alarms)",
  "redis-degraded": "The Redis answer cache is degraded (memory, evictions, engine CPU or hit rate of a node)",
} as const;
export type Composite = keyof typeof COMPOSITES;

export type Missing = "breaching" | "notBreaching" | "ignore" | "missing";
export type Comparison = "GreaterThanThreshold" | "LessThanThreshold";

export interface Metric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  stat: string;
}

export interface AlarmSpec {
  description: string;
  /** `docs/runbooks/<runbook>.md`: one per kind of alarm. */
  runbook: string;
  /** Composite that pages for this alarm instead of the alarm itself. */
  composite?: Composite;
  comparison: Comparison;
  threshold: number;
  /** Why a gap in the data means what it means for this metric (see the table in the comment of the Alarms class, alarms.ts). */
  missing: Missing;
  /** A single metric, or metric math: `expression` over `metrics` (ids m1, m2, ...). */
  metric?: Metric;
  expression?: string;
  metrics?: Metric[];
  /** Intermediate expressions the main one refers to by id. */
  helpers?: Record<string, string>;
  periodSeconds?: number;
  evaluationPeriods?: number;
}
