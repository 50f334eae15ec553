/** Each rule, a passing and a failing resource set, run through the offline audit path. */
import { rules } from "../../policy/rules";
import type { PlanResource } from "../../tools/plan/types";
import { goodContainers, res, T, urn } from "./fixtures";
import { bucket, container, doc, env, ingress, violations, world443 } from "./ruleFixtures";

interface Case {
  rule: string;
  pass: PlanResource[];
  fail: PlanResource[];
  tier?: string;
  /** Part of the expected failure message. */
  expect: RegExp;
}

const cases: Case[] = [
  { rule: "s3-public-access-block", pass: bucket({}), fail: bucket({ pab: { restrictPublicBuckets: false } }), expect: /restrictPublicBuckets/ },
  { rule: "s3-public-access-block", pass: bucket({}), fail: bucket({ pab: null }), expect: /has no BucketPublicAccessBlock/ },
  {
    rule: "s3-sse-kms",
    pass: bucket({}),
    fail: bucket({ sse: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } }),
    expect: /aws:kms/,
  },
  {
    rule: "s3-backup-versioning",
    pass: bucket({}),
    fail: bucket({ versioning: { versioningConfiguration: { status: "Suspended" } } }),
    expect: /backup bucket/,
  },
  {
    rule: "s3-tls-only",
    pass: bucket({}),
    fail: bucket({ policy: { policy: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }) } }),
    expect: /SecureTransport/,
  },
  { rule: "s3-lifecycle", pass: bucket({}), fail: bucket({ lifecycle: { rules: [{ id: "x", status: "Disabled" }] } }), expect: /lifecycle|Lifecycle/ },
  {
    rule: "rds-secure-instance",
    pass: [res(T.rds, "db", { storageEncrypted: true, publiclyAccessible: false, backupRetentionPeriod: 7, iamDatabaseAuthenticationEnabled: true })],
    fail: [res(T.rds, "db", { storageEncrypted: false, publiclyAccessible: true, backupRetentionPeriod: 1 })],
    expect: /storageEncrypted.*|publiclyAccessible|backupRetentionPeriod/,
  },
  {
    rule: "rds-production-resilience",
    pass: [res(T.rds, "db", { deletionProtection: true, multiAz: true })],
    fail: [res(T.rds, "db", { deletionProtection: true, multiAz: false })],
    expect: /multiAz must be true in a production stack/,
  },
  {
    rule: "elasticache-encryption-and-auth",
    pass: [res(T.redis, "cache", { transitEncryptionEnabled: true, atRestEncryptionEnabled: true, authToken: "[secret]" })],
    fail: [res(T.redis, "cache", { transitEncryptionEnabled: true, atRestEncryptionEnabled: true })],
    expect: /authToken must be set/,
  },
  { rule: "efs-encrypted-at-rest", pass: [res(T.efs, "fs", { encrypted: true })], fail: [res(T.efs, "fs", {})], expect: /encrypted must be true/ },
  {
    rule: "efs-transit-encryption",
    pass: [
      res(T.taskDef, "chroma", {
        containerDefinitions: goodContainers,
        volumes: [{ name: "data", efsVolumeConfiguration: { fileSystemId: "fs", transitEncryption: "ENABLED" } }],
      }),
    ],
    fail: [res(T.taskDef, "chroma", { containerDefinitions: goodContainers, volumes: [{ name: "data", efsVolumeConfiguration: { fileSystemId: "fs" } }] })],
    expect: /volume "data" must set transitEncryption/,
  },
  { rule: "ecs-container-hardening", pass: [container({})], fail: [container({ privileged: true })], expect: /privileged/ },
  { rule: "ecs-container-hardening", pass: [container({})], fail: [container({ readonlyRootFilesystem: false })], expect: /readonlyRootFilesystem/ },
  { rule: "ecs-container-hardening", pass: [container({})], fail: [container({ logConfiguration: undefined })], expect: /logConfiguration/ },
  {
    rule: "ecs-no-plaintext-secrets",
    pass: [env("TOKEN_TTL_SECONDS", "3600")],
    fail: [env("TELEGRAM_BOT_TOKEN", "123:abc")],
    expect: /TELEGRAM_BOT_TOKEN looks like a secret/,
  },
  {
    rule: "ecs-no-plaintext-secrets",
    pass: [env("KMS_KEY_ID", "alias/backup")],
    fail: [env("SENTRY_URL", "https://abc123@o1.ingest.sentry.io/42")],
    expect: /URL with credentials/,
  },
  { rule: "ecs-no-plaintext-secrets", pass: [env("DB_HOST", "db.internal")], fail: [env("DB_HOST_X", "[secret]")], expect: /Pulumi secret/ },
  {
    rule: "ecs-service-private",
    pass: [res(T.service, "api", { networkConfiguration: { assignPublicIp: false } })],
    fail: [res(T.service, "api", { networkConfiguration: { assignPublicIp: true } })],
    expect: /assignPublicIp must be false/,
  },
  {
    rule: "alb-https-modern-tls",
    pass: [res(T.listener, "https", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06" })],
    fail: [res(T.listener, "https", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08" })],
    expect: /sslPolicy must be/,
  },
  {
    rule: "alb-http-redirects-to-https",
    pass: [res(T.listener, "http", { protocol: "HTTP", defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } }] })],
    fail: [res(T.listener, "http", { protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: "tg" }] })],
    expect: /redirect with protocol "HTTPS"/,
  },
  {
    rule: "alb-access-logs",
    pass: [res(T.lb, "alb", { accessLogs: { enabled: true, bucket: "logs" } })],
    fail: [res(T.lb, "alb", { accessLogs: { enabled: false, bucket: "logs" } })],
    expect: /accessLogs must be enabled/,
  },
  {
    rule: "alb-waf-association",
    pass: [res(T.lb, "alb", { name: "chatbot-test" }), res(T.waf, "waf", { resourceArn: "chatbot-test", webAclArn: "acl" })],
    fail: [res(T.lb, "alb", { name: "chatbot-test" }), res(T.waf, "waf", { resourceArn: "some-other-lb", webAclArn: "acl" })],
    expect: /internet-facing without a WebAclAssociation/,
  },
  {
    rule: "sg-no-public-ingress",
    pass: [ingress("alb", world443)],
    fail: [ingress("db", { ...world443, fromPort: 5432, toPort: 5432 })],
    expect: /only allowed on the ALB group/,
  },
  {
    rule: "sg-no-public-ingress",
    pass: [ingress("alb", world443)],
    fail: [ingress("alb", { ...world443, fromPort: 22, toPort: 22 })],
    expect: /may only reach tcp 80 or 443/,
  },
  {
    rule: "sg-no-public-ingress",
    pass: [
      ingress("alb", world443),
      res(
        T.ingressRule,
        "alb-https-v6",
        { securityGroupId: "chatbot-test-alb-id", cidrIpv6: "::/0", ipProtocol: "tcp", fromPort: 443, toPort: 443 },
        { dependsOn: [urn(T.sg, "alb")] },
      ),
    ],
    fail: [
      ingress("redis", { protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: ["sg-app"] }),
      res(T.ingressRule, "redis-world", { securityGroupId: "redis", cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 6379, toPort: 6379 }),
    ],
    expect: /ingress from 0.0.0.0\/0/,
  },
  {
    rule: "sg-no-public-ingress",
    pass: [
      ingress("alb", world443),
      res(T.sgRule, "alb-http", { type: "ingress", securityGroupId: "alb", cidrBlocks: ["0.0.0.0/0"], protocol: "tcp", fromPort: 80, toPort: 80 }),
    ],
    fail: [
      ingress("alb", world443),
      res(T.sgRule, "alb-all", { type: "ingress", securityGroupId: "alb", cidrBlocks: ["0.0.0.0/0"], protocol: "-1", fromPort: 0, toPort: 0 }),
    ],
    expect: /may only reach tcp 80 or 443/,
  },
  {
    rule: "iam-no-wildcard-admin",
    pass: [res(T.iamPolicy, "p", { policy: doc({ Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::b/*" }) })],
    fail: [res(T.rolePolicy, "p", { policy: doc({ Effect: "Allow", Action: "*:*", Resource: ["*"] }) })],
    expect: /allows Action "\*" on Resource "\*"/,
  },
  {
    rule: "iam-no-wildcard-admin",
    pass: [res(T.role, "r", { inlinePolicies: [{ name: "ok", policy: doc({ Effect: "Deny", Action: "*", Resource: "*" }) }] })],
    fail: [res(T.role, "r", { inlinePolicies: [{ name: "admin", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }] })],
    expect: /inline policy "admin"/,
  },
  {
    rule: "iam-no-administrator-access",
    pass: [res(T.attachment, "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })],
    fail: [res(T.attachment, "a", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" })],
    expect: /AdministratorAccess/,
  },
  {
    rule: "logs-retention",
    pass: [res(T.logGroup, "l", { retentionInDays: 14 })],
    fail: [res(T.logGroup, "l", { retentionInDays: 0 })],
    expect: /retentionInDays/,
  },
  {
    rule: "kms-key-rotation",
    pass: [res(T.kms, "k", { enableKeyRotation: true })],
    fail: [res(T.kms, "k", { enableKeyRotation: false })],
    expect: /enableKeyRotation/,
  },
  {
    rule: "tags-required",
    pass: [res(T.logGroup, "l", { retentionInDays: 1 })],
    fail: [res(T.logGroup, "l", { retentionInDays: 1, tags: { "managed-by": "terraform" } })],
    expect: /managed-by must be "pulumi"/,
  },
];

describe("every rule has cases", () => {
  it.each(rules.map((r) => r.name))("%s", (name) => {
    expect(cases.some((c) => c.rule === name)).toBe(true);
  });
});

describe.each(cases.map((c, i) => [`${c.rule} #${i}`, c] as const))("%s", (_label, c) => {
  it("passes the compliant resources", () => {
    expect(violations(c.rule, c.pass, c.tier)).toEqual([]);
  });
  it("fails the non-compliant resources", () => {
    const found = violations(c.rule, c.fail, c.tier);
    expect(found.length).toBeGreaterThan(0);
    expect(found.join("\n")).toMatch(c.expect);
  });
});
