/**
 * The preview template every pr-<number> stack starts from: it must come up small and go away
 * whole in one `pulumi destroy`, pass the policy pack, and cost less than staging.
 */
import { ofType, planFor } from "./support/plan";
import { runAudit } from "../tools/audit/audit";
import { estimateMonthlyCost, estimateDeployTime } from "../tools/estimate";
import type { Plan } from "../tools/plan/types";

let preview: Plan;
let staging: Plan;
beforeAll(async () => {
  preview = (await planFor("preview")).plan;
  staging = (await planFor("staging")).plan;
});

describe("preview stack template", () => {
  it("protects nothing and keeps nothing after destroy", () => {
    expect(preview.resources.filter((r) => r.options.protect || r.options.retainOnDelete).map((r) => r.urn)).toEqual([]);
  });

  it("lets destroy remove every stateful resource", () => {
    for (const db of ofType(preview, "aws:rds/instance:Instance")) {
      expect(db.inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true, multiAz: false });
    }
    for (const bucket of ofType(preview, "aws:s3/bucket:Bucket")) expect(bucket.inputs.forceDestroy).toBe(true);
    for (const repo of ofType(preview, "aws:ecr/repository:Repository")) expect(repo.inputs.forceDelete).toBe(true);
    for (const lb of ofType(preview, "aws:lb/loadBalancer:LoadBalancer")) expect(lb.inputs.enableDeletionProtection).toBe(false);
    expect(ofType(preview, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).toEqual([]);
  });

  it("runs no bot (they would poll with staging's tokens) and no scheduled backup", () => {
    const services = ofType(preview, "aws:ecs/service:Service").map((s) => s.inputs.name);
    expect(services).toEqual(expect.arrayContaining(["chatbot-preview-api", "chatbot-preview-chroma"]));
    expect(services.filter((n) => /-(telegram|discord)-bot$/.test(String(n)))).toEqual([]);
    for (const schedule of ofType(preview, "aws:scheduler/schedule:Schedule")) expect(schedule.inputs.state).toBe("DISABLED");
  });

  it("reports to staging's Sentry projects instead of creating its own", () => {
    expect(ofType(preview, "sentry:index/sentryProject:SentryProject")).toEqual([]);
    expect(ofType(staging, "sentry:index/sentryProject:SentryProject").length).toBeGreaterThan(0);
  });

  it("passes every mandatory rule of the policy pack", () => {
    const result = runAudit(preview);
    expect(result.tier).toBe("preview");
    expect(result.rules.filter((r) => r.status === "FAIL").map((r) => r.name)).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it("is estimated cheaper than staging, and no slower to create", () => {
    const region = "eu-central-1";
    const [p, s] = [estimateMonthlyCost(preview, region), estimateMonthlyCost(staging, region)];
    expect(p.total).toBeLessThan(s.total);
    expect(estimateDeployTime(preview).seconds).toBeLessThanOrEqual(estimateDeployTime(staging).seconds);
  });
});
