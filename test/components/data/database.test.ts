/** PostgreSQL alone: encrypted, private, TLS-only, master password never in Pulumi, protection as asked. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { INGRESS_RULE, one, rulesOf, SECURITY_GROUP } from "../../support/plan";
import { SECRET } from "../../../tools/plan/types";
import type { Plan } from "../../../tools/plan/types";

const INSTANCE = "aws:rds/instance:Instance";

const render = (protect: boolean, monitoringIntervalSeconds: number) =>
  renderComponent(() => {
    const { Database } = load<typeof import("../../../components/data/database")>("components/data/database");
    new Database("postgres", {
      namePrefix: "chatbot-test",
      vpcId: "vpc-1",
      subnetIds: ["subnet-a", "subnet-b"],
      clientSecurityGroups: { app: "sg-app", jobs: "sg-jobs" },
      postgresVersion: "16",
      instanceClass: "db.t4g.micro",
      allocatedStorageGb: 20,
      maxAllocatedStorageGb: 50,
      backupRetentionDays: 7,
      multiAz: false,
      deletionProtection: protect,
      finalSnapshot: protect,
      performanceInsights: false,
      monitoringIntervalSeconds,
      logRetentionDays: 7,
      protect,
      passwordRotation: { app: 0, backup: 0 },
    });
  });

describe("Database", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render(true, 0);
  });

  it("owns one instance with its key, security, subnet and parameter groups, log groups and role secrets", () => {
    expect(typeCounts(plan)).toMatchObject({
      "chatbot:data:Database": 1,
      [INSTANCE]: 1,
      "aws:kms/key:Key": 1,
      [SECURITY_GROUP]: 1,
      "aws:rds/subnetGroup:SubnetGroup": 1,
      "aws:rds/parameterGroup:ParameterGroup": 1,
      "aws:cloudwatch/logGroup:LogGroup": 2,
    });
    // No enhanced monitoring asked for: no role for it.
    expect(typeCounts(plan)["aws:iam/role:Role"]).toBeUndefined();
  });

  it("encrypts storage with its own key, stays private, and lets RDS keep the master password", () => {
    const db = one(plan, INSTANCE).inputs;
    expect(db).toMatchObject({ storageEncrypted: true, publiclyAccessible: false, manageMasterUserPassword: true, dbName: "chatbot", maxAllocatedStorage: 50 });
    expect(db.password).toBeUndefined();
    expect(db.kmsKeyId).toBe(db.masterUserSecretKmsKeyId);
  });

  it("refuses connections without TLS", () => {
    expect(one(plan, "aws:rds/parameterGroup:ParameterGroup").inputs.parameters).toContainEqual({ name: "rds.force_ssl", value: "1" });
  });

  it("admits only its client groups, on 5432", () => {
    expect(rulesOf(plan, INGRESS_RULE, one(plan, SECURITY_GROUP))).toEqual([
      "tcp 5432-5432 from unknown group sg-app",
      "tcp 5432-5432 from unknown group sg-jobs",
    ]);
  });

  it("stores the generated role passwords only as secrets", () => {
    for (const v of plan.resources.filter((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")) expect(v.inputs.secretString).toBe(SECRET);
  });

  it("protects instance and key when asked, with deletion protection and a final snapshot", () => {
    expect(one(plan, INSTANCE).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, "aws:kms/key:Key").options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, INSTANCE).inputs).toMatchObject({ deletionProtection: true, skipFinalSnapshot: false });
  });

  it("leaves a throwaway instance unprotected, and adds a monitoring role only for enhanced monitoring", async () => {
    const throwaway = await render(false, 60);
    expect(one(throwaway, INSTANCE).options.protect).toBe(false);
    expect(one(throwaway, INSTANCE).inputs).toMatchObject({ deletionProtection: false, skipFinalSnapshot: true, monitoringInterval: 60 });
    expect(typeCounts(throwaway)["aws:iam/role:Role"]).toBe(1);
  });
});
