/**
 * The preview template every pr-<number> stack starts from: it must come up small and go away
 * whole in one `pulumi destroy`, pass the policy pack, and cost less than staging. It is of the
 * preview tier (issue 20): it borrows staging's network, data stores and load balancer.
 */
import { one, ofType, planFor } from "./support/plan";
import { runAudit } from "../tools/audit/audit";
import { estimateMonthlyCost, estimateDeployTime } from "../tools/estimate";
import { perDay, PREVIEW_BUDGET } from "../tools/estimate/shared";
import { missingOutputsMessage, missingSharedOutputs, SHARED_OUTPUTS } from "../infra/parts/shared";
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
    expect(services).toEqual(["chatbot-preview-api"]);
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

  it("is within the previews' budget: under $2 a day and 8 minutes to create", () => {
    expect(perDay(estimateMonthlyCost(preview, "eu-central-1").total)).toBeLessThan(PREVIEW_BUDGET.usdPerDay);
    expect(estimateDeployTime(preview).seconds).toBeLessThan(PREVIEW_BUDGET.createSeconds);
  });
});

describe("the preview tier: what a preview borrows from staging and what it owns", () => {
  it("builds no network, database server, cache, Chroma, load balancer, WAF or backup bucket", () => {
    for (const type of [
      "aws:ec2/vpc:Vpc",
      "aws:ec2/natGateway:NatGateway",
      "aws:rds/instance:Instance",
      "aws:elasticache/replicationGroup:ReplicationGroup",
      "aws:efs/fileSystem:FileSystem",
      "aws:lb/loadBalancer:LoadBalancer",
      "aws:lb/listener:Listener",
      "aws:wafv2/webAcl:WebAcl",
      "aws:s3/bucket:Bucket",
    ])
      expect([type, ofType(preview, type).length]).toEqual([type, 0]);
    // Two references: the lender (staging) and the bootstrap stack every app stack reads.
    const ref = one(preview, "pulumi:pulumi:StackReference", /^shared-infra-/);
    expect(ref.inputs.name).toBe("staging");
  });

  it("reads only outputs staging exports", () => {
    for (const name of SHARED_OUTPUTS) expect([name, staging.outputs[name] !== undefined]).toEqual([name, true]);
  });

  it("puts its API behind staging's HTTPS listener with a host rule pr-<n>.<previewDomain> and a target group of its own", () => {
    const rule = one(preview, "aws:lb/listenerRule:ListenerRule");
    expect(rule.inputs.listenerArn).toBe(staging.outputs.albHttpsListenerArn);
    expect(rule.inputs.conditions).toEqual([{ hostHeader: { values: ["preview.staging.chatbot.example.com"] } }]);
    const tg = one(preview, "aws:lb/targetGroup:TargetGroup");
    expect(tg.inputs).toMatchObject({ name: "chatbot-preview-api", vpcId: staging.outputs.vpcId, targetType: "ip" });
    expect(preview.outputs.apiUrl).toBe("https://preview.staging.chatbot.example.com");
    const svc = one(preview, "aws:ecs/service:Service");
    expect((svc.inputs.networkConfiguration as { subnets: string[] }).subnets).toEqual(staging.outputs.privateSubnetIds);
  });

  it("has a database and roles of its own on staging's instance, made by db-init and dropped by it on destroy", () => {
    const run = one(preview, "command:local:Command", "db-bootstrap-run");
    expect(String(run.inputs.delete)).toContain(`"command":["--drop"]`);
    const task = one(preview, "aws:ecs/taskDefinition:TaskDefinition", "db-bootstrap-job-task");
    const env = Object.fromEntries(
      (JSON.parse(String(task.inputs.containerDefinitions))[0].environment as { name: string; value: string }[]).map((e) => [e.name, e.value]),
    );
    expect(env).toMatchObject({
      PGHOST: staging.outputs.postgresAddress,
      APP_DB_NAME: "chatbot_preview",
      DB_TENANT: "preview",
      DB_APP_ROLE: "preview_app",
      DB_BACKUP_ROLE: "preview_backup",
      DB_OWNER_ROLE: "preview_migrator",
      DB_READONLY_ROLE: "preview_readonly",
    });
    expect(staging.outputs.postgresDatabase).not.toBe(env.APP_DB_NAME);
  });

  it("runs its API with its own Sentry environment, Redis prefix and Chroma database, and its own database secret", () => {
    const task = one(preview, "aws:ecs/taskDefinition:TaskDefinition", "api-task");
    const container = JSON.parse(String(task.inputs.containerDefinitions))[0];
    const env = Object.fromEntries((container.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ SENTRY_ENVIRONMENT: "preview", REDIS_PREFIX: "preview:", CHROMA_DATABASE: "preview", CHROMA_URL: staging.outputs.chromaUrl });
    const secrets = Object.fromEntries((container.secrets as { name: string; valueFrom: string }[]).map((e) => [e.name, e.valueFrom]));
    expect(secrets.REDIS_URL).toBe(staging.outputs.redisUrlSecretArn);
    // DATABASE_URL is the preview's own secret (its role, its database), declared by the tenant database.
    const own = one(preview, "aws:secretsmanager/secret:Secret", "postgres-app");
    expect(own.parent).toMatch(/chatbot:data:TenantDatabase::postgres$/);
    expect(own.inputs.name).toBe("chatbot-preview/postgres/app");
  });

  it("deletes its secrets at once on destroy (no recovery window), so it can be created again straight away", () => {
    for (const s of ofType(preview, "aws:secretsmanager/secret:Secret")) expect([s.name, s.inputs.recoveryWindowInDays]).toEqual([s.name, 0]);
  });
});

describe("the preview tier's bad input", () => {
  // The program's refusal itself (one line, no AWS resource created) is shown through the real
  // engine in test/engine/preview-stacks.test.ts: under jest, the SDK's rejections reach jest's own
  // handler, not the plan harness's.
  it("names every output a lender that is not (fully) deployed lacks, and what to do, in one line", () => {
    const partial: Record<string, unknown> = { ...staging.outputs, vpcId: "", albHttpsListenerArn: undefined };
    const missing = missingSharedOutputs(partial);
    expect(missing).toEqual(["vpcId", "albHttpsListenerArn"]);
    expect(missingSharedOutputs(staging.outputs)).toEqual([]);
    expect(missingOutputsMessage("pr-7", "staging", missing)).toBe(
      'preview tier: stack staging exports no vpcId, albHttpsListenerArn, so pr-7 cannot borrow its infrastructure: deploy staging first (pulumi up --stack staging), or set sharedInfraStack to "" to build everything',
    );
  });

  it("refuses sharedInfraStack outside the preview tier, and without previewDomain, before any resource", async () => {
    const { stackFileWith } = await import("./support/engine");
    const file = stackFileWith("staging", { sharedInfraStack: "prod", previewDomain: "" });
    await expect(planFor("staging", { configFile: file })).rejects.toThrow(
      /chatbot:sharedInfraStack = "prod": only a preview stack may borrow another stack's infrastructure \(tier is staging\)[\s\S]*chatbot:previewDomain = "": required with sharedInfraStack/,
    );
  });
});
