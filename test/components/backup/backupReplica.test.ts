/** The second-region copy alone: its bucket, key and access logs in its region, replication from the source that never carries deletes. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const BUCKET = "aws:s3/bucket:Bucket";
const KEY = "aws:kms/key:Key";
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const SOURCE = "chatbot-test-backups-123456789012-eu-central-1";
const SOURCE_KEY = "arn:aws:kms:eu-central-1:123456789012:key/source";
const REPLICA = "chatbot-test-backups-replica-123456789012-eu-west-1";
const REPLICA_LOGS = "chatbot-test-s3-access-logs-123456789012-eu-west-1";

const render = (objectLock: "off" | "GOVERNANCE" | "COMPLIANCE", protect: boolean) =>
  renderComponent(() => {
    const aws = load<typeof import("@pulumi/aws")>("node_modules/@pulumi/aws");
    const { BackupReplica } = load<typeof import("../../../components/backup/backupReplica")>("components/backup/backupReplica");
    const sourceProvider = new aws.Provider("source", { region: "eu-central-1" });
    const replicaProvider = new aws.Provider("replica", { region: "eu-west-1" });
    // The source bucket's versioning (a custom resource: a dependency on a component is one on its children).
    const versioning = new aws.s3.BucketVersioning(
      "source-versioning",
      { bucket: SOURCE, versioningConfiguration: { status: "Enabled" } },
      { provider: sourceProvider },
    );
    new BackupReplica(
      "backup-replica",
      {
        namePrefix: "chatbot-test",
        region: "eu-west-1",
        sourceRegion: "eu-central-1",
        source: { bucket: SOURCE, bucketArn: `arn:aws:s3:::${SOURCE}`, kmsKeyArn: SOURCE_KEY, versioning },
        sourceProvider,
        retentionDays: 30,
        noncurrentVersionDays: 7,
        objectLock,
        objectLockDays: 14,
        forceDestroy: !protect,
        protect,
      },
      { providers: { aws: replicaProvider } },
    );
  });

describe("BackupReplica", () => {
  let plan: Plan;
  let replicaKeyArn: string;
  const providerUrn = (name: string) => one(plan, "pulumi:providers:aws", name).urn;
  beforeAll(async () => {
    plan = await render("COMPLIANCE", true);
    replicaKeyArn = `arn:aws:kms:eu-central-1:123456789012:${one(plan, KEY).name}`;
  });

  it("owns a key, the replica bucket with its own access-log bucket, the replication role and the replication", () => {
    expect(typeCounts(plan)).toMatchObject({
      "chatbot:backup:BackupReplica": 1,
      "chatbot:backup:AccessLogBucket": 1,
      [KEY]: 1,
      "aws:kms/alias:Alias": 1,
      [BUCKET]: 2,
      "aws:s3/bucketLogging:BucketLogging": 1,
      [LOCK]: 1,
      "aws:iam/role:Role": 1,
      "aws:iam/rolePolicy:RolePolicy": 1,
      [REPLICATION]: 1,
    });
    expect(ofType(plan, BUCKET).map((b) => b.inputs.bucket)).toEqual(expect.arrayContaining([REPLICA, REPLICA_LOGS]));
    expect(one(plan, "aws:kms/alias:Alias").inputs.name).toBe("alias/chatbot-test-backup-replica");
    expect(one(plan, "aws:iam/role:Role").inputs.name).toBe("chatbot-test-backup-replication");
  });

  it("keeps the copy, its key and its logs in the second region, and the replication on the source bucket's side", () => {
    const replicaSide = [one(plan, BUCKET, "backup-replica-bucket"), one(plan, BUCKET, "backup-replica-access-logs-bucket"), one(plan, KEY)];
    expect(replicaSide.map((r) => r.provider)).toEqual(replicaSide.map(() => providerUrn("replica")));
    const replication = one(plan, REPLICATION);
    expect(replication.provider).toBe(providerUrn("source"));
    expect(replication.inputs.bucket).toBe(SOURCE);
  });

  it("replicates every SSE-KMS backup, re-encrypted with the replica's own key, and no delete marker", () => {
    const [rule, ...others] = one(plan, REPLICATION).inputs.rules as any[];
    expect(others).toEqual([]);
    expect(rule).toEqual({
      id: "backups-to-second-region",
      status: "Enabled",
      filter: {},
      deleteMarkerReplication: { status: "Disabled" },
      sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
      destination: { bucket: `arn:aws:s3:::${REPLICA}`, encryptionConfiguration: { replicaKmsKeyId: replicaKeyArn } },
    });
    expect(
      one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "backup-replica-encryption").inputs.rules,
    ).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: replicaKeyArn }, bucketKeyEnabled: true }]);
  });

  it("waits for versioning on both buckets before replicating", () => {
    expect(one(plan, REPLICATION).options.dependsOn).toEqual(
      expect.arrayContaining([
        one(plan, "aws:s3/bucketVersioning:BucketVersioning", "source-versioning").urn,
        one(plan, "aws:s3/bucketVersioning:BucketVersioning", "backup-replica-versioning").urn,
      ]),
    );
  });

  it("lets only S3 of this account assume the role, to read the source's versions and write the copy, decrypting and encrypting through S3 only", () => {
    expect(parseJsonInput(one(plan, "aws:iam/role:Role"), "assumeRolePolicy").Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
    const statements = parseJsonInput(one(plan, "aws:iam/rolePolicy:RolePolicy"), "policy").Statement as any[];
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual(["ReadReplicationConfig", "ReadSourceVersions", "WriteReplica", "DecryptSource", "EncryptReplica"]);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => /Delete|\*/.test(a))).toEqual([]);
    expect(bySid.ReadSourceVersions.Resource).toBe(`arn:aws:s3:::${SOURCE}/*`);
    expect(bySid.WriteReplica).toMatchObject({ Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: `arn:aws:s3:::${REPLICA}/*` });
    expect(bySid.DecryptSource).toMatchObject({
      Action: "kms:Decrypt",
      Resource: SOURCE_KEY,
      Condition: { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } },
    });
    expect(bySid.EncryptReplica).toMatchObject({ Resource: replicaKeyArn, Condition: { StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } } });
  });

  it("logs the copy's access into its own region's log bucket, which accepts deliveries for the copy alone", () => {
    expect(one(plan, "aws:s3/bucketLogging:BucketLogging").inputs).toEqual({
      bucket: "backup-replica-bucket-id",
      targetBucket: REPLICA_LOGS,
      targetPrefix: "backups-replica/",
    });
    const allow = parseJsonInput(one(plan, "aws:s3/bucketPolicy:BucketPolicy", "backup-replica-access-logs-policy"), "policy").Statement.find(
      (s: any) => s.Sid === "S3ServerAccessLogs",
    );
    expect(allow.Condition.ArnLike["aws:SourceArn"]).toEqual([`arn:aws:s3:::${REPLICA}`]);
  });

  it("locks the copy as the original and protects its bucket and key; with lock off and no protection, neither", async () => {
    expect(one(plan, BUCKET, "backup-replica-bucket").inputs.objectLockEnabled).toBe(true);
    expect(one(plan, LOCK).inputs.rule).toEqual({ defaultRetention: { mode: "COMPLIANCE", days: 14 } });
    expect(one(plan, KEY).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, BUCKET, "backup-replica-bucket").options).toMatchObject({ protect: true, retainOnDelete: true });
    const throwaway = await render("off", false);
    expect(one(throwaway, BUCKET, "backup-replica-bucket").inputs).toMatchObject({ objectLockEnabled: false, forceDestroy: true });
    expect(ofType(throwaway, LOCK)).toEqual([]);
    expect(ofType(throwaway, BUCKET).filter((b) => b.options.protect)).toEqual([]);
    expect(one(throwaway, KEY).options.protect).toBe(false);
  });
});
