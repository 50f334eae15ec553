import type { Plan, PlanResource } from "../../tools/plan/types";
import { estimateRelease, formatRelease } from "../../tools/estimate/release";
import { planFor } from "../support/plan";

const SVC = "aws:ecs/service:Service";
const TG = "aws:lb/targetGroup:TargetGroup";
const TD = "aws:ecs/taskDefinition:TaskDefinition";
const urn = (type: string, name: string) => `urn:pulumi:test::chatbot::chatbot:containers:Service$${type}::${name}`;
function res(type: string, name: string, inputs: Record<string, unknown>, dependsOn: string[] = []): PlanResource {
  return { urn: urn(type, name), type, name, parent: null, inputs, options: { protect: false, retainOnDelete: false, dependsOn }, provider: null };
}

/** One API service behind a target group, sized and tuned as given. */
function apiPlan(o: { desired: number; minPct: number; maxPct: number; drain: number; interval: number; healthy: number; stopTimeout?: number }): Plan {
  const td = res(TD, "api-task", { containerDefinitions: JSON.stringify([{ name: "api", ...(o.stopTimeout ? { stopTimeout: o.stopTimeout } : {}) }]) });
  const tg = res(TG, "api-tg", { deregistrationDelay: o.drain, healthCheck: { interval: o.interval, healthyThreshold: o.healthy } });
  const svc = res(
    SVC,
    "api-service",
    {
      desiredCount: o.desired,
      deploymentMinimumHealthyPercent: o.minPct,
      deploymentMaximumPercent: o.maxPct,
      loadBalancers: [{ targetGroupArn: "api-tg-arn" }],
    },
    [td.urn],
  );
  return { project: "chatbot", stack: "test", resources: [td, tg, svc], outputs: {} };
}

describe("estimateRelease", () => {
  it("adds start, health checks, draining and stop per batch, and names what dominates", () => {
    const r = estimateRelease(apiPlan({ desired: 2, minPct: 100, maxPct: 200, drain: 300, interval: 30, healthy: 5 }));
    // One batch (200% lets both new tasks start at once): 45 start + 150 healthy + 300 drain + 30 stop + 15 check, + 20 pulumi.
    expect(r.services).toEqual([expect.objectContaining({ service: "api", seconds: 540, zeroDowntime: true })]);
    expect(r.seconds).toBe(560);
    expect(r.dominant[0]).toMatch(/albDeregistrationDelaySeconds.*300 s/);
    expect(r.dominant[1]).toMatch(/healthyThreshold x interval.*150 s/);
  });

  it("rolls in more batches when the maximum percent leaves less room, and counts a set stopTimeout", () => {
    const one = estimateRelease(apiPlan({ desired: 4, minPct: 100, maxPct: 200, drain: 30, interval: 10, healthy: 2, stopTimeout: 10 }));
    const four = estimateRelease(apiPlan({ desired: 4, minPct: 100, maxPct: 125, drain: 30, interval: 10, healthy: 2, stopTimeout: 10 }));
    expect(one.services[0].seconds).toBe(45 + 20 + 30 + 30 + 15);
    expect(four.services[0].seconds).toBe(4 * (45 + 20 + 30 + 30) + 15);
    expect(estimateRelease(apiPlan({ desired: 1, minPct: 100, maxPct: 200, drain: 30, interval: 10, healthy: 2, stopTimeout: 60 })).services[0].seconds).toBe(
      45 + 20 + 30 + 60 + 15,
    );
  });

  it("does not call stop-before-start zero downtime", () => {
    expect(estimateRelease(apiPlan({ desired: 1, minPct: 0, maxPct: 100, drain: 30, interval: 10, healthy: 2 })).services[0].zeroDowntime).toBe(false);
  });
});

describe.each(["staging", "prod"])("the %s stack's release", (stack) => {
  it("is estimated at 3 minutes or less, with the API rolled without downtime and every app service counted", async () => {
    const r = estimateRelease((await planFor(stack)).plan);
    expect(r.services.map((s) => s.service).sort()).toEqual(["api", "discord-bot", "telegram-bot"]);
    expect(r.services.find((s) => s.service === "api")).toMatchObject({ zeroDowntime: true });
    expect(r.seconds).toBeLessThanOrEqual(180);
    expect(formatRelease(r)).toMatch(/^### Estimated image-only release: \d+ min/);
  });
});
