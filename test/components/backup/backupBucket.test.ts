/** The backup bucket alone: its own rotating key, SSE-KMS with that key only, retention, access logs, object lock when asked. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const BUCKET = "aws:s3/bucket:Bucket";
const KEY = "aws:kms/key:Key";
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const NAME = "chatbot-test-backups-123456789012-eu-central-1";
const ARN = `arn:aws:s3:::${NAME}`;
const LOGS = "chatbot-test-s3-access-logs-123456789012-eu-central-1";

const render = (objectLock: "off" | "GOVERNANCE" | "COMPLIANCE", protect: boolean) =>
  renderComponent(() => {
    const { BackupBucket } = load<typeof import("../../../components/backup/backupBucket")>("components/backup/backupBucket");
    new BackupBucket("backup-bucket", {
      namePrefix: "chatbot-test",
      bucket: NAME,
      retentionDays: 30,
      noncurrentVersionDays: 7,
      objectLock,
      objectLockDays: 14,
      accessLogBucket: LOGS,
      forceDestroy: false,
      protect,
    });
  });

describe("BackupBucket", () => {
  let plan: Plan;
  let keyArn: string;
  beforeAll(async () => {
    plan = await render("COMPLIANCE", true);
    keyArn = `arn:aws:kms:eu-central-1:123456789012:${one(plan, KEY).name}`;
  });

  it("owns its key and alias, the bucket and its parts, the object lock and the access logging", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:backup:BackupBucket": 1,
      [KEY]: 1,
      "aws:kms/alias:Alias": 1,
      [BUCKET]: 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      [LOCK]: 1,
      "aws:s3/bucketLogging:BucketLogging": 1,
    });
    expect(one(plan, BUCKET).inputs).toEqual({ bucket: NAME, objectLockEnabled: true, forceDestroy: false, tags: { Name: "chatbot-test-backups" } });
  });

  it("encrypts by default with its own yearly-rotating key under alias/<namePrefix>-backup, with the bucket key on", () => {
    expect(one(plan, KEY).inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    expect(one(plan, "aws:kms/alias:Alias").inputs).toEqual({ name: "alias/chatbot-test-backup", targetKeyId: `${one(plan, KEY).name}-id` });
    expect(one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true },
    ]);
  });

  it("denies plain HTTP, an SSE header other than aws:kms and any other key, but not a header-less upload part", () => {
    const bySid = Object.fromEntries(parseJsonInput(one(plan, "aws:s3/bucketPolicy:BucketPolicy"), "policy").Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual(["DenyInsecureTransport", "DenyNonKmsEncryption", "DenyOtherKmsKeys"]);
    expect(bySid.DenyInsecureTransport).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [ARN, `${ARN}/*`] });
    expect(bySid.DenyNonKmsEncryption).toMatchObject({
      Effect: "Deny",
      Principal: "*",
      Action: "s3:PutObject",
      Resource: `${ARN}/*`,
      // Null false: the deny applies only when the header is present.
      Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption": "aws:kms" }, Null: { "s3:x-amz-server-side-encryption": "false" } },
    });
    expect(bySid.DenyOtherKmsKeys).toMatchObject({
      Effect: "Deny",
      Action: "s3:PutObject",
      Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn } },
    });
  });

  it("expires backups and their old versions on the configured days, and clears the delete markers left behind", () => {
    expect(one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules).toEqual([
      {
        id: "expire-backups",
        status: "Enabled",
        filter: { prefix: "" },
        expiration: { days: 30 },
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
      { id: "remove-expired-delete-markers", status: "Enabled", filter: { prefix: "" }, expiration: { expiredObjectDeleteMarker: true } },
    ]);
  });

  it("logs its access to the given bucket, and locks each new version for the lock days once versioning is on", () => {
    expect(one(plan, "aws:s3/bucketLogging:BucketLogging").inputs).toEqual({ bucket: "backup-bucket-bucket-id", targetBucket: LOGS, targetPrefix: "backups/" });
    const lock = one(plan, LOCK);
    expect(lock.inputs).toMatchObject({ objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: 14 } } });
    expect(lock.options.dependsOn).toContain(one(plan, "aws:s3/bucketVersioning:BucketVersioning").urn);
  });

  it("with object lock off, declares the bucket without it and no lock configuration", async () => {
    const unlocked = await render("off", true);
    expect(one(unlocked, BUCKET).inputs.objectLockEnabled).toBe(false);
    expect(ofType(unlocked, LOCK)).toEqual([]);
  });

  it("protects and retains the bucket and its key when asked, never the alias; unprotected, neither", async () => {
    expect(one(plan, BUCKET).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, KEY).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, "aws:kms/alias:Alias").options).toMatchObject({ protect: false, retainOnDelete: false });
    const throwaway = await render("GOVERNANCE", false);
    expect(one(throwaway, BUCKET).options.protect).toBe(false);
    expect(one(throwaway, KEY).options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(one(throwaway, LOCK).inputs.rule).toEqual({ defaultRetention: { mode: "GOVERNANCE", days: 14 } });
  });
});
