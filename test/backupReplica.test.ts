/**
 * Issue 16 item 9 and issue 14 item 2 in the plans: prod's backups replicate to a bucket in the
 * configured second region (own provider, own KMS key, object lock), every bucket that holds
 * backups writes server access logs to a hardened log bucket in its own region, and every S3
 * bucket of the stack is built the same hardened way.
 */
import { ConfigError, validateConfig } from "../infra/config/validate";
import { s3Rules } from "../policy/rules/s3";
import { runAudit } from "../tools/audit/audit";
import { loadStackConfig } from "../tools/plan/stackConfig";
import { provider, res } from "./policy/fixtures";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

const BUCKET = "aws:s3/bucket:Bucket";
const attachedTo = (plan: Plan, type: string, b: PlanResource) => ofType(plan, type).filter((r) => r.inputs.bucket === `${b.name}-id`);

describe.each(["staging", "prod"])("S3 buckets of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, any>;
  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    config = validateConfig("chatbot", stack, rendered.config.config, new Set(rendered.config.secretKeys)).settings;
  });

  it("are all hardened alike: no ACLs, no public access, versioned, encrypted, TLS-only, expiring", () => {
    for (const b of ofType(plan, BUCKET)) {
      const one1 = (type: string) => {
        const found = attachedTo(plan, type, b);
        expect([b.name, type, found.length]).toEqual([b.name, type, 1]);
        return found[0];
      };
      expect(one1("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
      expect(one1("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
      expect(one1("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
      expect(one1("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).toHaveLength(1);
      const tls = parseJsonInput(one1("aws:s3/bucketPolicy:BucketPolicy"), "policy").Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
      expect(tls).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
      expect((one1("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[])[0].expiration.days).toBeGreaterThan(0);
    }
  });

  it("logs access to every bucket that holds backups, into an SSE-S3 log bucket of the same region that only S3 logging may write", () => {
    const holders = ofType(plan, BUCKET).filter((b) => /backups/.test(String(b.inputs.bucket)));
    expect(holders.length).toBe(config.backupReplicaRegion ? 2 : 1);
    for (const b of holders) {
      const [logging] = attachedTo(plan, "aws:s3/bucketLogging:BucketLogging", b);
      expect(logging).toBeDefined();
      const target = ofType(plan, BUCKET).find((t) => `${t.name}-id` === logging.inputs.targetBucket || t.inputs.bucket === logging.inputs.targetBucket)!;
      expect(target.inputs.bucket).toMatch(/-s3-access-logs-/);
      // Server access logs must go to a bucket in the source's region: same provider.
      expect(target.provider).toBe(b.provider);
      const [enc] = attachedTo(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", target);
      expect(enc.inputs.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
      const [policy] = attachedTo(plan, "aws:s3/bucketPolicy:BucketPolicy", target);
      const allow = parseJsonInput(policy, "policy").Statement.find((s: any) => s.Sid === "S3ServerAccessLogs");
      expect(allow.Principal).toEqual({ Service: "logging.s3.amazonaws.com" });
      expect(allow.Condition.ArnLike["aws:SourceArn"]).toEqual([`arn:aws:s3:::${b.inputs.bucket}`]);
      expect(allow.Condition.StringEquals["aws:SourceAccount"]).toBe("123456789012");
      // A log bucket does not log itself.
      expect(attachedTo(plan, "aws:s3/bucketLogging:BucketLogging", target)).toEqual([]);
    }
  });

  it("replicates backups to the second region exactly when backupReplicaRegion is set", () => {
    const replication = ofType(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    if (!config.backupReplicaRegion) {
      expect(replication).toEqual([]);
      expect(ofType(plan, BUCKET).some((b) => /replica/.test(String(b.inputs.bucket)))).toBe(false);
      return;
    }
    expect(stack).toBe("prod");
    const source = one(plan, BUCKET, "backup-bucket-bucket");
    const replica = one(plan, BUCKET, "backup-replica-bucket");
    const provider = plan.resources.find((r) => r.urn === replica.provider)!;
    expect(provider.inputs.region).toBe(config.backupReplicaRegion);
    expect(provider.inputs.region).not.toBe(config.region);
    expect(replica.inputs.bucket).toBe(`chatbot-prod-backups-replica-123456789012-${config.backupReplicaRegion}`);
    expect(replica.inputs.objectLockEnabled).toBe(true);
    expect(attachedTo(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", replica)[0].inputs.rule).toEqual({
      defaultRetention: { mode: config.backupObjectLock, days: config.backupObjectLockDays },
    });
    // Its own key, in its own region.
    const [enc] = attachedTo(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", replica);
    const replicaKey = one(plan, "aws:kms/key:Key", "backup-replica-key");
    expect(replicaKey.provider).toBe(replica.provider);
    expect((enc.inputs.rules as any[])[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).not.toBe(
      (attachedTo(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", source)[0].inputs.rules as any[])[0]
        .applyServerSideEncryptionByDefault.kmsMasterKeyId,
    );

    expect(replication).toHaveLength(1);
    const r = replication[0];
    expect(r.inputs.bucket).toBe(source.inputs.bucket);
    expect(r.provider).toBe(source.provider);
    const [rule] = r.inputs.rules as any[];
    expect(rule).toMatchObject({
      status: "Enabled",
      deleteMarkerReplication: { status: "Disabled" },
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    });
    expect(rule.destination.bucket).toBe(`arn:aws:s3:::${replica.inputs.bucket}`);
    expect(rule.destination.encryptionConfiguration.replicaKmsKeyId).toContain("backup-replica-key");
    expect(r.options.dependsOn).toEqual(expect.arrayContaining([one(plan, "aws:s3/bucketVersioning:BucketVersioning", "backup-bucket-versioning").urn]));
    // The replication role may replicate and nothing else: no delete, no other bucket.
    const statements = parseJsonInput(one(plan, "aws:iam/rolePolicy:RolePolicy", "backup-replica-role"), "policy").Statement as any[];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions.some((a: string) => /Delete/.test(a))).toBe(false);
    expect(statements.find((s) => s.Sid === "DecryptSource").Condition.StringEquals["kms:ViaService"]).toBe(`s3.${config.region}.amazonaws.com`);
    expect(statements.find((s) => s.Sid === "EncryptReplica").Condition.StringEquals["kms:ViaService"]).toBe(`s3.${config.backupReplicaRegion}.amazonaws.com`);
  });
});

describe("second-region config", () => {
  it.each([
    ["eu-central-1", /must differ from region/],
    ["EU-West-1", /an AWS region such as eu-west-1/],
  ])("refuses backupReplicaRegion %s, naming the key", (value, problem) => {
    const loaded = loadStackConfig("prod");
    const config = { ...loaded.config, "chatbot:backupReplicaRegion": value };
    let err: unknown;
    try {
      validateConfig("chatbot", "prod", config, new Set(loaded.secretKeys));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const issue = (err as ConfigError).issues.find((x) => x.key.endsWith("backupReplicaRegion"));
    expect(issue?.problem ?? (err as Error).message).toMatch(problem);
  });
});

describe("the s3-sse-kms rule and access-log buckets", () => {
  const sse = (name: string) =>
    res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-enc`, {
      bucket: "chatbot-test-s3-access-logs-1-eu-central-1",
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
  const plan = (withLogging: boolean): Plan => ({
    project: "chatbot",
    stack: "test",
    outputs: {},
    resources: [
      provider(),
      res(BUCKET, "logs", { bucket: "chatbot-test-s3-access-logs-1-eu-central-1" }),
      sse("logs"),
      ...(withLogging
        ? [res("aws:s3/bucketLogging:BucketLogging", "src-logging", { bucket: "src-id", targetBucket: "chatbot-test-s3-access-logs-1-eu-central-1" })]
        : []),
    ],
  });
  const sseRule = s3Rules.filter((r) => r.name === "s3-sse-kms");

  it("lets the target of server access logging keep SSE-S3, the only encryption S3 log delivery writes", () => {
    expect(runAudit(plan(true), sseRule).rules[0].status).toBe("PASS");
  });

  it("still refuses SSE-S3 on a bucket nothing logs to", () => {
    const r = runAudit(plan(false), sseRule).rules[0];
    expect(r.status).toBe("FAIL");
    expect(r.violations.map((v) => v.message)).toEqual(['aws:s3/bucket:Bucket "logs": default encryption must be sseAlgorithm "aws:kms" (found AES256)']);
  });
});
