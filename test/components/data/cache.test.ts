/** Redis alone: encryption, AUTH token kept secret, reachable only from its client groups. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { INGRESS_RULE, one, rulesOf, SECURITY_GROUP } from "../../support/plan";
import { SECRET } from "../../../tools/plan/types";
import type { Plan } from "../../../tools/plan/types";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

const render = (replicas: number, protect: boolean) =>
  renderComponent(() => {
    const { Cache } = load<typeof import("../../../components/data/cache")>("components/data/cache");
    new Cache("redis", {
      namePrefix: "chatbot-test",
      vpcId: "vpc-1",
      subnetIds: ["subnet-a", "subnet-b"],
      clientSecurityGroups: { app: "sg-app" },
      kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/data",
      nodeType: "cache.t4g.micro",
      replicas,
      engineVersion: "7.1",
      snapshotRetentionDays: 1,
      logRetentionDays: 7,
      protect,
      authTokenRotation: 0,
      authTokenUpdateStrategy: "SET",
    });
  });

describe("Cache", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render(0, true);
  });

  it("owns a group, its subnet and parameter groups, logs, a security group, the token and its secret", () => {
    expect(typeCounts(plan)).toMatchObject({
      "chatbot:data:Cache": 1,
      [GROUP]: 1,
      "aws:elasticache/subnetGroup:SubnetGroup": 1,
      "aws:elasticache/parameterGroup:ParameterGroup": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      [SECURITY_GROUP]: 1,
      "random:index/randomPassword:RandomPassword": 1,
      "aws:secretsmanager/secret:Secret": 1,
      "aws:secretsmanager/secretVersion:SecretVersion": 1,
    });
  });

  it("encrypts in transit and at rest with the given key, and keeps the AUTH token secret", () => {
    const group = one(plan, GROUP).inputs;
    expect(group).toMatchObject({ transitEncryptionEnabled: true, atRestEncryptionEnabled: true, kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/data" });
    expect(group.authToken).toBe(SECRET);
    expect(one(plan, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).toBe(SECRET);
  });

  it("admits only its client groups, on 6379", () => {
    // sg-app is a group of another component: rulesOf names it by id.
    expect(rulesOf(plan, INGRESS_RULE, one(plan, SECURITY_GROUP))).toEqual(["tcp 6379-6379 from unknown group sg-app"]);
  });

  it("applies the eviction policy it is given", () => {
    expect(one(plan, "aws:elasticache/parameterGroup:ParameterGroup").inputs.parameters).toEqual([{ name: "maxmemory-policy", value: "allkeys-lru" }]);
  });

  it("protects the secret holding the token, not the cache itself", () => {
    expect(one(plan, "aws:secretsmanager/secret:Secret").options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, GROUP).options.protect).toBe(false);
  });

  it("turns on failover and multi-AZ only with a replica", async () => {
    expect(one(plan, GROUP).inputs).toMatchObject({ numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false });
    const replicated = await render(2, false);
    expect(one(replicated, GROUP).inputs).toMatchObject({ numCacheClusters: 3, automaticFailoverEnabled: true, multiAzEnabled: true });
    expect(one(replicated, "aws:secretsmanager/secret:Secret").options.protect).toBe(false);
  });
});
