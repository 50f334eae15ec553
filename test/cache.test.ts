import { effectiveTags, ofType, one, planFor, EGRESS_RULE, idOf, INGRESS_RULE, rulesOf, SECURITY_GROUP } from "./support/plan";
import { redisFamily } from "../components/data/cache";
import { mockState } from "../tools/plan/mockOutputs";
import type { RenderedStack } from "../tools/plan/render";
import type { Plan, PlanResource } from "../tools/plan/types";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const SG = SECURITY_GROUP;
const INGRESS = INGRESS_RULE;
const EGRESS = EGRESS_RULE;
const SECRET = "aws:secretsmanager/secret:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const stacks: Record<string, RenderedStack> = {};
beforeAll(async () => {
  for (const stack of ["staging", "prod"]) stacks[stack] = await planFor(stack);
});

describe.each(["staging", "prod"])("cache of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, string>;
  let group: PlanResource;
  const cfg = (k: string) => config[`chatbot:${k}`];
  beforeAll(() => {
    ({ plan } = stacks[stack]);
    config = stacks[stack].config.config;
    group = one(plan, GROUP, "redis-group");
  });

  it("encrypts in transit and at rest (with the data key) and requires a secret AUTH token", () => {
    expect(group.inputs.transitEncryptionEnabled).toBe(true);
    expect(group.inputs.atRestEncryptionEnabled).toBe(true);
    expect(group.options.dependsOn).toContain(one(plan, "aws:kms/key:Key", "postgres-key").urn);
    expect(group.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(group.inputs.authToken).toBe("[secret]");
    const token = one(plan, PASSWORD, "redis-auth-token");
    // ElastiCache: 16-128 printable characters without @ " /; alphanumeric only.
    expect(token.inputs.length as number).toBeGreaterThanOrEqual(32);
    expect(token.inputs.length as number).toBeLessThanOrEqual(128);
    expect(token.inputs.special).toBe(false);
    expect(group.options.dependsOn).toContain(token.urn);
  });

  it("lives in the private subnets", () => {
    const subnets = one(plan, "aws:elasticache/subnetGroup:SubnetGroup", "redis-subnets");
    expect(group.inputs.subnetGroupName).toBe(subnets.inputs.name);
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as any)?.tier === "private");
    expect(privateSubnets.length).toBeGreaterThanOrEqual(2);
    expect([...(subnets.inputs.subnetIds as string[])].sort()).toEqual(privateSubnets.map(idOf).sort());
  });

  it("is sized, replicated and evicts as the stack file says", () => {
    const replicas = Number(cfg("redisReplicas"));
    expect(group.inputs.nodeType).toBe(cfg("redisNodeType"));
    expect(group.inputs.engineVersion).toBe(cfg("redisEngineVersion"));
    expect(group.inputs.numCacheClusters).toBe(replicas + 1);
    expect(group.inputs.automaticFailoverEnabled).toBe(replicas >= 1);
    expect(group.inputs.multiAzEnabled).toBe(replicas >= 1);
    expect(group.inputs.snapshotRetentionLimit).toBe(Number(cfg("redisSnapshotRetentionDays")));
    const params = one(plan, "aws:elasticache/parameterGroup:ParameterGroup", "redis-params");
    expect(group.inputs.parameterGroupName).toBe(params.inputs.name);
    expect(params.inputs.family).toBe(redisFamily(cfg("redisEngineVersion")));
    expect(params.inputs.parameters).toEqual([{ name: "maxmemory-policy", value: "allkeys-lru" }]);
  });

  it("delivers its slow log and engine log to a log group with the app's retention", () => {
    const logs = one(plan, "aws:cloudwatch/logGroup:LogGroup", "redis-logs");
    expect(logs.inputs.retentionInDays).toBe(Number(cfg("appLogRetentionDays")));
    const delivery = group.inputs.logDeliveryConfigurations as Record<string, string>[];
    expect(delivery.map((d) => d.logType).sort()).toEqual(["engine-log", "slow-log"]);
    for (const d of delivery) expect(d).toMatchObject({ destination: logs.inputs.name, destinationType: "cloudwatch-logs" });
  });

  it("keeps its URL (with the token) in a KMS-encrypted secret, and exports only the secret's ARN", () => {
    const secret = one(plan, SECRET, "redis-url");
    expect(secret.inputs.name).toBe(`chatbot-${stack}/redis/url`);
    expect(secret.inputs.kmsKeyId).toBe(group.inputs.kmsKeyId);
    const protect = cfg("protectStatefulResources") === "true";
    expect(secret.options).toMatchObject({ protect, retainOnDelete: protect });
    expect(one(plan, "aws:secretsmanager/secretVersion:SecretVersion", "redis-url").inputs.secretString).toBe("[secret]");
    expect(plan.outputs.redisUrlSecretArn).toBe(mockState(SECRET, secret.name, secret.inputs, cfg("region")).arn);
    expect(plan.outputs.redisPrimaryEndpoint).toMatch(/\.cache\.amazonaws\.com$/);
    expect(plan.outputs.redisPort).toBe(6379);
  });

  it("exports the answer cache's default TTL from config for the app", () => {
    expect(plan.outputs.cacheDefaultTtlSeconds).toBe(Number(cfg("cacheDefaultTtlSeconds")));
  });

  it("shows the AUTH token nowhere in the plan", () => {
    const token = one(plan, PASSWORD, "redis-auth-token");
    const value = mockState(token.type, token.name, token.inputs, cfg("region")).result as string;
    expect(value).toHaveLength(token.inputs.length as number);
    expect(JSON.stringify(plan)).not.toContain(value);
  });

  it("admits Redis only from the app and jobs groups, and nothing else", () => {
    const sg = one(plan, SG, "redis-sg");
    expect(group.inputs.securityGroupIds).toEqual([idOf(sg)]);
    expect(sg.inputs.ingress ?? []).toEqual([]);
    expect(rulesOf(plan, INGRESS, sg)).toEqual(["tcp 6379-6379 from network-app-sg", "tcp 6379-6379 from network-jobs-sg"]);
    expect(ofType(plan, EGRESS).filter((r) => r.inputs.securityGroupId === idOf(sg))).toEqual([]);
  });

  it("creates its AWS resources through the data part's provider, which tags them", () => {
    const mine = plan.resources.filter((r) => r.parent?.endsWith("::redis") && r.type.startsWith("aws:"));
    expect(mine.length).toBeGreaterThan(5);
    for (const r of mine) expect(effectiveTags(plan, r)).toMatchObject({ project: "chatbot", stack, part: "data", "managed-by": "pulumi" });
  });
});

describe("prod cache", () => {
  it("has a replica with automatic failover across AZs", () => {
    const group = one(stacks.prod.plan, GROUP, "redis-group");
    expect(group.inputs.numCacheClusters as number).toBeGreaterThanOrEqual(2);
    expect(group.inputs).toMatchObject({ automaticFailoverEnabled: true, multiAzEnabled: true });
  });
});

describe("redisFamily", () => {
  it("names the parameter group family of a Redis version", () => {
    expect(redisFamily("7.1")).toBe("redis7");
    expect(redisFamily("7.0")).toBe("redis7");
    expect(redisFamily("6.2")).toBe("redis6.x");
  });
});
