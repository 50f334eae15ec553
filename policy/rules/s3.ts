/**
 * S3. In @pulumi/aws 7 a bucket's protections are separate resources that point at the bucket
 * through their `bucket` input. Linking (util.resolveRef): the `bucket` input equals the Bucket's
 * `bucket` input (physical name) or its logical name, or else the resource depends on exactly one
 * Bucket's URN (what the engine sees during preview, when the id is unknown).
 */
import type { Rule, StackResourceView, Violation } from "./types";
import { asArray, isTrue, known, label, linked, resolveRef, statements, UNKNOWN } from "./util";

export const BUCKET = "aws:s3/bucket:Bucket";
export const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const SSE_CONFIG = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
export const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
export const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
export const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];

const BUCKET_ID_KEYS = ["bucket", "id"];

function bucketName(b: StackResourceView): string {
  const physical = known(() => b.inputs.bucket);
  return typeof physical === "string" ? physical : b.name;
}

/** For each bucket, the linked resources of `type`; `check` returns the messages for one bucket. */
function perBucket(
  resources: StackResourceView[],
  type: string,
  check: (bucket: StackResourceView, links: StackResourceView[]) => string[],
  applies: (bucket: StackResourceView, resources: StackResourceView[]) => boolean = () => true,
): Violation[] {
  const buckets = resources.filter((r) => r.type === BUCKET);
  const out: Violation[] = [];
  for (const b of buckets) {
    if (!applies(b, resources)) continue;
    const links = linked(resources, b, buckets, type, "bucket", BUCKET_ID_KEYS);
    for (const message of check(b, links)) out.push({ urn: b.urn, message });
  }
  return out;
}

/**
 * A bucket that receives ELB access logs: some load balancer's `accessLogs.bucket` resolves to it.
 * ELB log delivery only supports SSE-S3, so such a bucket may use AES256 instead of SSE-KMS.
 */
export function isElbLogBucket(bucket: StackResourceView, resources: StackResourceView[]): boolean {
  const buckets = resources.filter((r) => r.type === BUCKET);
  return resources.some(
    (lb) =>
      LOAD_BALANCER_TYPES.includes(lb.type) &&
      isTrue(known(() => lb.inputs.accessLogs?.enabled)) &&
      resolveRef(
        known(() => lb.inputs.accessLogs?.bucket),
        lb,
        buckets,
        BUCKET_ID_KEYS,
      ) === bucket,
  );
}

/**
 * A bucket that receives S3 server access logs (the target of a BucketLogging): S3 delivers them
 * only to a target with SSE-S3 default encryption, never SSE-KMS (S3 User Guide, "Enabling Amazon
 * S3 server access logging": "Server access log files can be encrypted only with SSE-S3").
 */
export function isS3AccessLogBucket(bucket: StackResourceView, resources: StackResourceView[]): boolean {
  const buckets = resources.filter((r) => r.type === BUCKET);
  return resources.some(
    (l) =>
      l.type === "aws:s3/bucketLogging:BucketLogging" &&
      resolveRef(
        known(() => l.inputs.targetBucket),
        l,
        buckets,
        BUCKET_ID_KEYS,
      ) === bucket,
  );
}

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3Rules: Rule[] = [
  {
    kind: "stack",
    name: "s3-public-access-block",
    description:
      "Every bucket needs a BucketPublicAccessBlock with all four flags on: backups of user " +
      "data must never become public through an ACL or a bucket policy added later.",
    enforcementLevel: "mandatory",
    check: (resources) =>
      perBucket(resources, PUBLIC_ACCESS_BLOCK, (b, pabs) => {
        if (pabs.length === 0) return [`${label(b)} has no BucketPublicAccessBlock`];
        const ok = pabs.some((p) => FLAGS.every((f) => isTrue(p.inputs[f])));
        const off = FLAGS.filter((f) => !pabs.some((p) => isTrue(p.inputs[f])));
        return ok ? [] : [`${label(b)}: public access block must set ${off.join(", ")} to true`];
      }),
  },
  {
    kind: "stack",
    name: "s3-sse-kms",
    description:
      "Every bucket is encrypted with SSE-KMS (a key we control and audit in CloudTrail). " +
      "Exception: a bucket that receives ELB or S3 server access logs, which AWS only delivers " +
      "with SSE-S3 (AES256); it must still have default encryption.",
    enforcementLevel: "mandatory",
    check: (resources) =>
      perBucket(resources, SSE_CONFIG, (b, configs) => {
        const algorithms = configs.flatMap((c) => asArray(c.inputs.rules).map((rule) => rule?.applyServerSideEncryptionByDefault?.sseAlgorithm));
        if (algorithms.some((a) => a === "aws:kms" || a === "aws:kms:dsse")) return [];
        if ((isElbLogBucket(b, resources) || isS3AccessLogBucket(b, resources)) && algorithms.includes("AES256")) return [];
        if (configs.length === 0) return [`${label(b)} has no BucketServerSideEncryptionConfiguration`];
        return [`${label(b)}: default encryption must be sseAlgorithm "aws:kms" (found ${algorithms.join(", ") || "none"})`];
      }),
  },
  {
    kind: "stack",
    name: "s3-backup-versioning",
    description: 'The backup bucket (name contains "backup") is versioned, so an overwritten or deleted ' + "dump can be recovered.",
    enforcementLevel: "mandatory",
    check: (resources) =>
      perBucket(
        resources,
        VERSIONING,
        (b, versionings) =>
          versionings.some((v) => v.inputs.versioningConfiguration?.status === "Enabled")
            ? []
            : [`${label(b)} is a backup bucket without BucketVersioning status "Enabled"`],
        (b) => /backup/i.test(bucketName(b)) || /backup/i.test(b.name),
      ),
  },
  {
    kind: "stack",
    name: "s3-tls-only",
    description: "Every bucket has a policy that denies requests without TLS (aws:SecureTransport false), " + "so data is never read or written in the clear.",
    enforcementLevel: "mandatory",
    check: (resources) =>
      perBucket(resources, BUCKET_POLICY, (b, policies) =>
        policies.some((p) => p.inputs.policy === UNKNOWN || statements(p.inputs.policy).some(isTlsDeny))
          ? []
          : [`${label(b)} has no bucket policy statement that Denies when aws:SecureTransport is false`],
      ),
  },
  {
    kind: "stack",
    name: "s3-lifecycle",
    description: "Every bucket has an enabled lifecycle rule, so backups and logs expire after their " + "retention instead of growing (and costing) forever.",
    enforcementLevel: "mandatory",
    check: (resources) =>
      perBucket(resources, LIFECYCLE, (b, lifecycles) =>
        lifecycles.some((l) => asArray(l.inputs.rules).some((rule) => rule?.status === "Enabled"))
          ? []
          : [`${label(b)} has no BucketLifecycleConfiguration with an "Enabled" rule`],
      ),
  },
];

/** Deny, to everyone, of S3 actions, when aws:SecureTransport is false. */
export function isTlsDeny(s: any): boolean {
  if (!s || s.Effect !== "Deny") return false;
  const principal = s.Principal;
  const everyone = principal === "*" || asArray(principal?.AWS).includes("*");
  const actions = asArray(s.Action);
  const allS3 = actions.includes("s3:*") || actions.includes("*");
  const value = s.Condition?.Bool?.["aws:SecureTransport"];
  const insecure = asArray(value).some((v) => v === false || v === "false");
  return everyone && allS3 && insecure;
}
