import { queryCall } from "../../tools/aws/signedCall";
import type { JobEnv } from "./env";

/** Where the drill reports (DRILL_METRIC_NAMESPACE, DRILL_METRIC_STACK); the alarm watches the same names. */
export interface DrillMetrics {
  namespace: string;
  stack: string;
  /** CloudWatch-compatible server (tests): CLOUDWATCH_ENDPOINT. */
  endpoint?: string;
}

export const DRILL_SUCCESS_METRIC = "RestoreDrillSuccess";
export const DRILL_SECONDS_METRIC = "RestoreDrillSeconds";

/**
 * CloudWatch PutMetricData (Query protocol): RestoreDrillSuccess 1 or 0, and the drill's seconds,
 * with the dimension Stack. The alarm fires on days without a 1, so a drill that never ran counts.
 */
export async function putDrillMetrics(m: DrillMetrics, cfg: JobEnv, ok: boolean, seconds: number, at: Date, signal?: AbortSignal): Promise<void> {
  const params: Record<string, string> = { Namespace: m.namespace };
  const metrics: [string, number, string][] = [
    [DRILL_SUCCESS_METRIC, ok ? 1 : 0, "Count"],
    [DRILL_SECONDS_METRIC, seconds, "Seconds"],
  ];
  metrics.forEach(([name, value, unit], i) => {
    const p = `MetricData.member.${i + 1}`;
    Object.assign(params, {
      [`${p}.MetricName`]: name,
      [`${p}.Value`]: String(value),
      [`${p}.Unit`]: unit,
      [`${p}.Timestamp`]: at.toISOString(),
      [`${p}.Dimensions.member.1.Name`]: "Stack",
      [`${p}.Dimensions.member.1.Value`]: m.stack,
    });
  });
  await queryCall(
    { service: "monitoring", region: cfg.region, endpoint: m.endpoint, credentials: cfg.credentials, signal },
    "PutMetricData",
    "2010-08-01",
    params,
  );
}
