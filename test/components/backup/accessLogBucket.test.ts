/** The S3 access-log bucket alone: SSE-S3, kept a year, written only by S3 logging for its source buckets, not logged itself. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const BUCKET = "aws:s3/bucket:Bucket";
const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LOG_BUCKET = "chatbot-test-s3-access-logs-123456789012-eu-central-1";
const SOURCES = ["arn:aws:s3:::chatbot-test-backups-123456789012-eu-central-1", "arn:aws:s3:::chatbot-test-other-123456789012-eu-central-1"];

const render = (protect: boolean, forceDestroy: boolean) =>
  renderComponent(() => {
    const { AccessLogBucket } = load<typeof import("../../../components/backup/accessLogBucket")>("components/backup/accessLogBucket");
    new AccessLogBucket("logs", { bucket: LOG_BUCKET, sourceBucketArns: SOURCES, forceDestroy, protect });
  });

describe("AccessLogBucket", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render(true, false);
  });

  it("owns one hardened bucket and its parts, with neither object lock nor access logging of its own", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:backup:AccessLogBucket": 1,
      [BUCKET]: 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      [POLICY]: 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    });
    expect(one(plan, BUCKET).inputs).toEqual({ bucket: LOG_BUCKET, forceDestroy: false });
  });

  it("encrypts with SSE-S3, the only encryption S3 log delivery writes", () => {
    expect(one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
  });

  it("blocks public access and ACLs, and keeps versions", () => {
    expect(one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(one(plan, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(one(plan, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
  });

  it("lets only S3 logging put objects, for the listed source buckets of this account, and refuses plain HTTP", () => {
    const arn = `arn:aws:s3:::${LOG_BUCKET}`;
    expect(parseJsonInput(one(plan, POLICY), "policy").Statement).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [arn, `${arn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "S3ServerAccessLogs",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${arn}/*`,
        Condition: { ArnLike: { "aws:SourceArn": SOURCES }, StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });

  it("keeps logs a year and an overwritten version a day, whatever the backups' retention", () => {
    expect(one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules).toEqual([
      {
        id: "expire-access-logs",
        status: "Enabled",
        filter: { prefix: "" },
        expiration: { days: 365 },
        noncurrentVersionExpiration: { noncurrentDays: 1 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
  });

  it("protects and retains the bucket itself when asked, not its parts; unprotected, a throwaway stack may force-destroy it", async () => {
    expect(one(plan, BUCKET).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, POLICY).options).toMatchObject({ protect: false, retainOnDelete: false });
    const throwaway = await render(false, true);
    expect(one(throwaway, BUCKET).options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(one(throwaway, BUCKET).inputs.forceDestroy).toBe(true);
  });
});
