/** The rules' specifics beyond one passing and one failing case: names and levels, tiers, dependency links, exemptions, heuristics. */
import { rules } from "../../policy/rules";
import { protectedBucket, res, T, tlsOnlyPolicy, urn } from "./fixtures";
import { bucket, env, ingress, violations, world443 } from "./ruleFixtures";

describe("rules: specifics", () => {
  it("every rule has a kebab-case name, a why and a level", () => {
    for (const r of rules) {
      expect(r.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(r.description.length).toBeGreaterThan(30);
      expect(["mandatory", "advisory"]).toContain(r.enforcementLevel);
    }
    expect(new Set(rules.map((r) => r.name)).size).toBe(rules.length);
  });

  it("rds-production-resilience applies only to production-tier stacks", () => {
    const lax = [res(T.rds, "db", { deletionProtection: false, multiAz: false })];
    expect(violations("rds-production-resilience", lax, "production")).toHaveLength(2);
    expect(violations("rds-production-resilience", lax, "staging")).toEqual([]);
    expect(violations("rds-production-resilience", lax, "preview")).toEqual([]);
  });

  it("links bucket protections by dependency when the bucket input is a mocked id", () => {
    const linked = protectedBucket().map((r) =>
      r.type === T.bucket ? r : { ...r, inputs: { ...r.inputs, bucket: "mock-id-1234" }, options: { ...r.options, dependsOn: [urn(T.bucket, "backup")] } },
    );
    expect(violations("s3-public-access-block", linked)).toEqual([]);
    const unlinked = linked.map((r) => ({ ...r, options: { ...r.options, dependsOn: [] } }));
    expect(violations("s3-public-access-block", unlinked)).toEqual([expect.stringMatching(/has no BucketPublicAccessBlock/)]);
  });

  it("does not link by dependency when a resource depends on two buckets (fails closed)", () => {
    const two = [...protectedBucket(), res(T.bucket, "other", { bucket: "chatbot-test-other" })];
    const pab = two.find((r) => r.type === T.pab)!;
    pab.inputs = { ...pab.inputs, bucket: "mock-id" };
    pab.options.dependsOn = [urn(T.bucket, "backup"), urn(T.bucket, "other")];
    const found = violations("s3-public-access-block", two);
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/"backup" has no BucketPublicAccessBlock/)]));
  });

  it("lets the ELB access-log bucket use SSE-S3, and no other bucket", () => {
    const logs = bucket({ sse: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } });
    const lb = res(T.lb, "alb", { accessLogs: { enabled: true, bucket: "chatbot-test-backup" } });
    expect(violations("s3-sse-kms", [...logs, lb])).toEqual([]);
    expect(violations("s3-sse-kms", logs)).toHaveLength(1);
  });

  it("versioning is required only of buckets named *backup*", () => {
    expect(violations("s3-backup-versioning", [res(T.bucket, "assets", { bucket: "chatbot-test-assets" })])).toEqual([]);
    expect(violations("s3-backup-versioning", [res(T.bucket, "b", { bucket: "chatbot-test-backup" })])).toHaveLength(1);
  });

  it("accepts a TLS-only statement with Principal {AWS: '*'} and boolean false", () => {
    const policy = JSON.stringify({
      Statement: [{ Effect: "Deny", Principal: { AWS: "*" }, Action: ["s3:*"], Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } }],
    });
    expect(violations("s3-tls-only", bucket({ policy: { policy } }))).toEqual([]);
    expect(tlsOnlyPolicy()).toContain("SecureTransport");
  });

  it("checks the inline ingress of the VPC's default security group", () => {
    const open = res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "default-sg", {
      ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    });
    expect(violations("sg-no-public-ingress", [open])).toHaveLength(1);
    expect(violations("sg-no-public-ingress", [{ ...open, inputs: {} }])).toEqual([]);
  });

  it("internal load balancers need no WAF", () => {
    expect(violations("alb-waf-association", [res(T.lb, "internal", { internal: true })])).toEqual([]);
  });

  it("recognises the ALB group from a load balancer's securityGroups, not only by name", () => {
    const sg = ingress("frontdoor", world443);
    const lb = res(T.lb, "alb", { securityGroups: ["chatbot-test-frontdoor"] });
    expect(violations("sg-no-public-ingress", [sg, lb])).toEqual([]);
    expect(violations("sg-no-public-ingress", [sg])).toHaveLength(1);
  });

  it("flags the secret-looking env vars of the documented heuristic, and only those", () => {
    const envs = [
      ["DATABASE_PASSWORD", "hunter2", true],
      ["OPENAI_API_KEY", "sk-abc", true],
      ["SENTRY_DSN", "https://public@o1.ingest.sentry.io/1", true],
      ["DATABASE_URL", "postgres://app:pw@db:5432/app", true],
      ["LLM_MAX_TOKENS", "4096", false],
      ["USE_TOKEN_CACHE", "true", false],
      ["BACKUP_KMS_KEY_ARN", "arn:aws:kms:eu-central-1:1:key/x", false],
      ["SECRET_NAME", "chatbot/test/db", false],
      ["REDIS_HOST", "cache.internal", false],
    ] as const;
    for (const [name, value, flagged] of envs) {
      expect([name, violations("ecs-no-plaintext-secrets", [env(name, value)]).length > 0]).toEqual([name, flagged]);
    }
  });

  it("tags-required reads provider defaultTags and lets own tags override them", () => {
    const lg = res(T.logGroup, "l", { retentionInDays: 1 });
    expect(violations("tags-required", [lg])).toEqual([]); // all four from the provider (fixtures.provider)
    const noProvider = { ...lg, provider: null };
    expect(violations("tags-required", [noProvider])).toEqual([expect.stringMatching(/missing tags project, stack, part, managed-by/)]);
    const own = { ...noProvider, inputs: { ...lg.inputs, tags: { project: "chatbot", stack: "test", part: "logs", "managed-by": "pulumi" } } };
    expect(violations("tags-required", [own])).toEqual([]);
  });

  it("tags-required ignores types without tags (e.g. BucketPolicy)", () => {
    const p = { ...res(T.bucketPolicy, "p", { bucket: "b", policy: tlsOnlyPolicy() }), provider: null };
    expect(violations("tags-required", [p])).toEqual([]);
  });
});
