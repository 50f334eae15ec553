import { validateConfig } from "../infra/config/validate";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

const BUCKET = "aws:s3/bucket:Bucket";
const KEY = "aws:kms/key:Key";

/** Resources of a type attached to the backup bucket (by its id, which the mock sets to `<logical name>-id`). */
function attached(plan: Plan, type: string, bucket: PlanResource): PlanResource {
  const found = ofType(plan, type).filter((r) => r.inputs.bucket === `${bucket.name}-id`);
  expect(found).toHaveLength(1);
  return found[0];
}

const asArray = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

describe.each([
  ["staging", "GOVERNANCE"],
  ["prod", "COMPLIANCE"],
])("backup bucket of %s", (stack, lockMode) => {
  let plan: Plan;
  let config: Record<string, any>;
  let bucket: PlanResource;
  let key: PlanResource;

  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    config = validateConfig("chatbot", stack, rendered.config.config, new Set(rendered.config.secretKeys)).settings;
    bucket = one(plan, BUCKET, "backup-bucket-bucket");
    key = one(plan, KEY, "backup-bucket-key");
  });

  it("is named after the stack, and object lock is on exactly when config says so", () => {
    // Globally unique and stable: account id and region (components/shared/hardenedBucket.ts bucketName).
    expect(bucket.inputs.bucket).toBe(`chatbot-${stack}-backups-123456789012-eu-central-1`);
    expect(bucket.inputs.objectLockEnabled).toBe(config.backupObjectLock !== "off");
  });

  it("is versioned", () => {
    expect(attached(plan, "aws:s3/bucketVersioning:BucketVersioning", bucket).inputs.versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it("encrypts with its own rotating KMS key and a bucket key", () => {
    const sse = attached(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket);
    const [rule] = sse.inputs.rules as any[];
    expect(rule.applyServerSideEncryptionByDefault.sseAlgorithm).toBe("aws:kms");
    expect(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId).toBe(`arn:aws:kms:eu-central-1:123456789012:${key.name}`);
    expect(rule.bucketKeyEnabled).toBe(true);
    expect(key.inputs.enableKeyRotation).toBe(true);
  });

  it("blocks every form of public access and disables ACLs", () => {
    expect(attached(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket).inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const ownership = attached(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", bucket);
    expect(ownership.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("denies requests without TLS, and uploads with another encryption or another key", () => {
    const policy = parseJsonInput(attached(plan, "aws:s3/bucketPolicy:BucketPolicy", bucket), "policy");
    const arn = `arn:aws:s3:::chatbot-${stack}-backups-123456789012-eu-central-1`;
    const denies = (policy.Statement as any[]).filter((s) => s.Effect === "Deny" && s.Principal === "*");

    const tls = denies.find((s) => s.Condition?.Bool?.["aws:SecureTransport"] === "false");
    expect(tls.Action).toBe("s3:*");
    expect(asArray(tls.Resource).sort()).toEqual([arn, `${arn}/*`]);

    const wrongAlgorithm = denies.find((s) => s.Condition?.StringNotEquals?.["s3:x-amz-server-side-encryption"]);
    expect(wrongAlgorithm).toMatchObject({ Action: "s3:PutObject", Resource: `${arn}/*` });
    expect(wrongAlgorithm.Condition.StringNotEquals["s3:x-amz-server-side-encryption"]).toBe("aws:kms");

    const wrongKey = denies.find((s) => s.Condition?.StringNotEqualsIfExists?.["s3:x-amz-server-side-encryption-aws-kms-key-id"]);
    expect(wrongKey).toMatchObject({ Action: "s3:PutObject", Resource: `${arn}/*` });
    expect(wrongKey.Condition.StringNotEqualsIfExists["s3:x-amz-server-side-encryption-aws-kms-key-id"]).toMatch(/:backup-bucket-key$/);
    // No Allow: access is granted by the roles' own policies, scoped to what each needs.
    expect((policy.Statement as any[]).filter((s) => s.Effect === "Allow")).toEqual([]);
  });

  it("expires backups, old versions, stale uploads and orphaned delete markers on the configured days", () => {
    const rules = attached(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket).inputs.rules as any[];
    for (const r of rules) expect(r.status).toBe("Enabled");
    const main = rules.find((r) => r.expiration?.days !== undefined);
    expect(main.expiration.days).toBe(config.backupRetentionDays);
    expect(main.noncurrentVersionExpiration.noncurrentDays).toBe(config.backupNoncurrentVersionDays);
    expect(main.abortIncompleteMultipartUpload.daysAfterInitiation).toBe(1);
    expect(rules.some((r) => r.expiration?.expiredObjectDeleteMarker === true)).toBe(true);
  });

  it(`locks each backup in ${lockMode} mode for the configured days`, () => {
    expect(config.backupObjectLock).toBe(lockMode);
    const lock = ofType(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").filter((r) => r.inputs.bucket === `${bucket.name}-id`);
    expect(lock).toHaveLength(1);
    expect(config.backupObjectLockDays).toBeLessThanOrEqual(config.backupRetentionDays);
    expect(lock[0].inputs.rule).toEqual({ defaultRetention: { mode: config.backupObjectLock, days: config.backupObjectLockDays } });
    // Object lock needs versioning first.
    expect(lock[0].options.dependsOn).toContain(one(plan, "aws:s3/bucketVersioning:BucketVersioning", "backup-bucket-versioning").urn);
  });

  it("refuses to be emptied by a destroy, and is protected with its key as config says", () => {
    expect(bucket.inputs.forceDestroy).toBe(config.backupForceDestroy);
    expect(bucket.inputs.forceDestroy).toBe(false);
    for (const r of [bucket, key]) {
      expect(r.options.protect).toBe(config.protectStatefulResources);
      expect(r.options.retainOnDelete).toBe(config.protectStatefulResources);
    }
    expect(config.protectStatefulResources).toBe(true);
  });

  it("exports the bucket name", () => {
    expect(plan.outputs.backupBucketName).toBe(`chatbot-${stack}-backups-123456789012-eu-central-1`);
  });
});
