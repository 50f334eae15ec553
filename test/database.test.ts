import { effectiveTags, ofType, one, parseJsonInput, planFor, EGRESS_RULE, idOf, INGRESS_RULE, rulesOf, SECURITY_GROUP } from "./support/plan";
import { APP_DB_NAME, connectionParameters } from "../components/data/database";
import { mockState } from "../tools/plan/mockOutputs";
import type { RenderedStack } from "../tools/plan/render";
import type { Plan, PlanResource } from "../tools/plan/types";

const INSTANCE = "aws:rds/instance:Instance";
const SG = SECURITY_GROUP;
const INGRESS = INGRESS_RULE;
const EGRESS = EGRESS_RULE;
const SECRET = "aws:secretsmanager/secret:Secret";
const SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const KEY = "aws:kms/key:Key";

const stacks: Record<string, RenderedStack> = {};
beforeAll(async () => {
  for (const stack of ["staging", "prod"]) stacks[stack] = await planFor(stack);
});

describe.each(["staging", "prod"])("database of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, string>;
  let instance: PlanResource;
  let key: PlanResource;
  const cfg = (k: string) => config[`chatbot:${k}`];
  beforeAll(() => {
    ({ plan } = stacks[stack]);
    config = stacks[stack].config.config;
    instance = one(plan, INSTANCE, "postgres-instance");
    key = one(plan, KEY, "postgres-key");
  });

  it("is private: in the private subnets only, never publicly accessible", () => {
    expect(instance.inputs.publiclyAccessible).toBe(false);
    const group = one(plan, "aws:rds/subnetGroup:SubnetGroup", "postgres-subnets");
    expect(instance.inputs.dbSubnetGroupName).toBe(group.inputs.name);
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet").filter((s) => s.inputs.tags && (s.inputs.tags as any).tier === "private");
    expect(privateSubnets.length).toBeGreaterThanOrEqual(2);
    expect([...(group.inputs.subnetIds as string[])].sort()).toEqual(privateSubnets.map(idOf).sort());
  });

  it("encrypts storage, Performance Insights and the master secret with the data key, which rotates", () => {
    expect(instance.inputs.storageEncrypted).toBe(true);
    expect(instance.options.dependsOn).toContain(key.urn);
    expect(instance.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(instance.inputs.masterUserSecretKmsKeyId).toBe(instance.inputs.kmsKeyId);
    if (instance.inputs.performanceInsightsEnabled) expect(instance.inputs.performanceInsightsKmsKeyId).toBe(instance.inputs.kmsKeyId);
    expect(key.inputs.enableKeyRotation).toBe(true);
  });

  it("accepts only TLS connections and logs slow statements", () => {
    const params = one(plan, "aws:rds/parameterGroup:ParameterGroup", "postgres-params");
    expect(instance.inputs.parameterGroupName).toBe(params.inputs.name);
    expect(params.inputs.family).toBe(`postgres${cfg("postgresVersion")}`);
    expect(instance.inputs.engineVersion).toBe(cfg("postgresVersion"));
    const values = Object.fromEntries((params.inputs.parameters as { name: string; value: string }[]).map((x) => [x.name, x.value]));
    expect(values["rds.force_ssl"]).toBe("1");
    expect(Number(values.log_min_duration_statement)).toBeGreaterThan(0);
  });

  it("lets RDS manage and rotate the master password: no password input, IAM auth on", () => {
    expect(instance.inputs.manageMasterUserPassword).toBe(true);
    expect(instance.inputs).not.toHaveProperty("password");
    expect(instance.inputs.iamDatabaseAuthenticationEnabled).toBe(true);
    expect(plan.outputs.postgresMasterSecretArn).toMatch(/^arn:aws:secretsmanager:/);
  });

  it("is sized as the stack file says", () => {
    expect(instance.inputs.instanceClass).toBe(cfg("dbInstanceClass"));
    expect(instance.inputs.storageType).toBe("gp3");
    expect(instance.inputs.allocatedStorage).toBe(Number(cfg("dbAllocatedStorageGb")));
    expect(instance.inputs.maxAllocatedStorage).toBe(Number(cfg("dbMaxAllocatedStorageGb")));
    expect(instance.inputs.maxAllocatedStorage as number).toBeGreaterThanOrEqual(instance.inputs.allocatedStorage as number);
    expect(instance.inputs.dbName).toBe(APP_DB_NAME);
  });

  it("keeps backups, availability and deletion guards as the stack file says", () => {
    expect(instance.inputs.backupRetentionPeriod).toBe(Number(cfg("dbBackupRetentionDays")));
    expect(instance.inputs.multiAz).toBe(cfg("dbMultiAz") === "true");
    expect(instance.inputs.deletionProtection).toBe(cfg("dbDeletionProtection") === "true");
    expect(instance.inputs.skipFinalSnapshot).toBe(cfg("dbFinalSnapshot") !== "true");
    expect(instance.inputs.finalSnapshotIdentifier).toBe(`chatbot-${stack}-postgres-final`);
    expect(instance.inputs.copyTagsToSnapshot).toBe(true);
    expect(instance.inputs.autoMinorVersionUpgrade).toBe(true);
    const protect = cfg("protectStatefulResources") === "true";
    for (const r of [instance, key]) expect(r.options).toMatchObject({ protect, retainOnDelete: protect });
  });

  it("monitors as the stack file says: Performance Insights, enhanced monitoring through AWS's scoped role", () => {
    expect(instance.inputs.performanceInsightsEnabled).toBe(cfg("dbPerformanceInsights") === "true");
    const interval = Number(cfg("dbMonitoringIntervalSeconds"));
    expect(instance.inputs.monitoringInterval).toBe(interval);
    const roles = ofType(plan, "aws:iam/role:Role").filter((r) => r.name === "postgres-monitoring");
    expect(roles).toHaveLength(interval > 0 ? 1 : 0);
    if (interval > 0) {
      expect(instance.inputs.monitoringRoleArn).toBe(mockState(roles[0].type, roles[0].name, roles[0].inputs, cfg("region")).arn);
      expect(parseJsonInput(roles[0], "assumeRolePolicy").Statement[0].Principal).toEqual({ Service: "monitoring.rds.amazonaws.com" });
      expect(one(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "postgres-monitoring").inputs.policyArn).toBe(
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
      );
    }
  });

  it("exports its logs to log groups it created first, with the app's retention", () => {
    expect(instance.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
    for (const log of ["postgresql", "upgrade"]) {
      const group = one(plan, "aws:cloudwatch/logGroup:LogGroup", `postgres-log-${log}`);
      expect(group.inputs.name).toBe(`/aws/rds/instance/${instance.inputs.identifier}/${log}`);
      expect(group.inputs.retentionInDays).toBe(Number(cfg("appLogRetentionDays")));
      expect(instance.options.dependsOn).toContain(group.urn);
    }
  });

  it("keeps a KMS-encrypted connection secret for each login role of the bootstrap (app, backup), values secret", () => {
    const secrets = ofType(plan, SECRET).filter((s) => String(s.inputs.name).includes("/postgres/"));
    expect(secrets.map((s) => s.inputs.name).sort()).toEqual([`chatbot-${stack}/postgres/app`, `chatbot-${stack}/postgres/backup`]);
    const protect = cfg("protectStatefulResources") === "true";
    for (const role of ["app", "backup"]) {
      const secret = one(plan, SECRET, `postgres-${role}`);
      expect(secret.options.dependsOn).toContain(key.urn);
      expect(secret.inputs.kmsKeyId).toBe(instance.inputs.kmsKeyId);
      expect(secret.options).toMatchObject({ protect, retainOnDelete: protect });
      expect(one(plan, SECRET_VERSION, `postgres-${role}`).inputs.secretString).toBe("[secret]");
      const password = one(plan, PASSWORD, `postgres-${role}-password`);
      expect(password.inputs.length as number).toBeGreaterThanOrEqual(32);
      expect(password.inputs.special).toBe(false);
      expect(plan.outputs[`postgres${role[0].toUpperCase()}${role.slice(1)}SecretArn`]).toBe(mockState(SECRET, secret.name, secret.inputs, cfg("region")).arn);
    }
  });

  it("shows no generated password anywhere in the plan", () => {
    const text = JSON.stringify(plan);
    const passwords = ofType(plan, PASSWORD).filter((p) => p.name.startsWith("postgres-"));
    expect(passwords).toHaveLength(2);
    for (const p of passwords) {
      const value = mockState(p.type, p.name, p.inputs, cfg("region")).result as string;
      expect(value.length).toBe(p.inputs.length);
      expect(text).not.toContain(value);
    }
  });

  it("admits PostgreSQL only from the app and jobs groups, and nothing else", () => {
    const sg = one(plan, SG, "postgres-sg");
    expect(instance.inputs.vpcSecurityGroupIds).toEqual([idOf(sg)]);
    expect(sg.inputs.ingress ?? []).toEqual([]);
    expect(rulesOf(plan, INGRESS, sg)).toEqual(["tcp 5432-5432 from network-app-sg", "tcp 5432-5432 from network-jobs-sg"]);
    expect(ofType(plan, EGRESS).filter((r) => r.inputs.securityGroupId === idOf(sg))).toEqual([]);
  });

  it("creates its AWS resources through the data part's provider, which tags them", () => {
    const mine = plan.resources.filter((r) => r.parent?.endsWith("::postgres") && r.type.startsWith("aws:"));
    expect(mine.length).toBeGreaterThan(10);
    for (const r of mine) expect(effectiveTags(plan, r)).toMatchObject({ project: "chatbot", stack, part: "data", "managed-by": "pulumi" });
  });
});

describe("prod database", () => {
  it("survives an AZ outage, refuses deletion, leaves a final snapshot and is protected in Pulumi", () => {
    const instance = one(stacks.prod.plan, INSTANCE, "postgres-instance");
    expect(instance.inputs).toMatchObject({ multiAz: true, deletionProtection: true, skipFinalSnapshot: false });
    expect(instance.options).toMatchObject({ protect: true, retainOnDelete: true });
  });
});

describe("connectionParameters", () => {
  it("builds a TLS-only URL that parses back to the same parameters", () => {
    const c = connectionParameters({ username: "app", password: "Abc123xyz", host: "db.example.internal", port: 5432, dbname: "chatbot" });
    expect(c).toMatchObject({ username: "app", password: "Abc123xyz", host: "db.example.internal", port: 5432, dbname: "chatbot", engine: "postgres" });
    const url = new URL(c.url);
    expect(url.protocol).toBe("postgresql:");
    expect([url.username, url.password, url.hostname, url.port, url.pathname]).toEqual(["app", "Abc123xyz", "db.example.internal", "5432", "/chatbot"]);
    expect(url.searchParams.get("sslmode")).toBe("verify-full");
    expect(url.searchParams.get("sslrootcert")).toBe("/etc/ssl/certs/rds-global-bundle.pem");
  });

  it("escapes characters that would break the URL", () => {
    const url = new URL(connectionParameters({ username: "app", password: "a@b/c:d", host: "h", port: 5432, dbname: "db" }).url);
    expect(decodeURIComponent(url.password)).toBe("a@b/c:d");
    expect(url.hostname).toBe("h");
  });
});
