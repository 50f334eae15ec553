/** The db-init bootstrap alone: a task with no role reading its credentials as secrets, run after what it needs. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const KEY = "arn:aws:kms:eu-central-1:123456789012:key/data";
const arn = (n: string) => `arn:aws:secretsmanager:eu-central-1:123456789012:secret:${n}-AbCdEf`;

describe("DbBootstrap", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await renderComponent(() => {
      const aws = load<typeof import("@pulumi/aws")>("node_modules/@pulumi/aws");
      const { DbBootstrap } = load<typeof import("../../../components/data/dbBootstrap")>("components/data/dbBootstrap");
      // Stands for what the bootstrap must wait for (the database's ingress rule for the jobs group).
      const before = new aws.vpc.SecurityGroupIngressRule("jobs-to-db", {
        securityGroupId: "sg-db",
        ipProtocol: "tcp",
        fromPort: 5432,
        toPort: 5432,
        referencedSecurityGroupId: "sg-jobs",
      });
      new DbBootstrap("db-bootstrap", {
        namePrefix: "chatbot-test",
        region: "eu-central-1",
        image: { uri: "example.org/db-init@sha256:" + "d".repeat(64) },
        database: {
          host: "db.internal",
          port: 5432,
          name: "chatbot",
          masterSecretArn: arn("master"),
          appSecretArn: arn("app"),
          backupSecretArn: arn("backup"),
          secretKmsKeyArn: KEY,
        },
        clusterArn: "arn:aws:ecs:eu-central-1:123456789012:cluster/c",
        subnetIds: ["subnet-a"],
        securityGroupId: "sg-jobs",
        logRetentionDays: 7,
        runAfter: [before],
        timeoutSeconds: 900,
      });
    });
  });

  it("owns a job task with no task role and a command that runs it", () => {
    expect(typeCounts(plan)).toMatchObject({ "chatbot:shared:JobTask": 1, "aws:iam/role:Role": 1, "command:local:Command": 1 });
  });

  it("hands the credentials over only as ECS secrets, each decryptable with the data key only via Secrets Manager", () => {
    const [container] = parseJsonInput<any[]>(one(plan, "aws:ecs/taskDefinition:TaskDefinition"), "containerDefinitions");
    expect(container.secrets).toEqual([
      { name: "APP_DB_PASSWORD", valueFrom: `${arn("app")}:password::` },
      { name: "BACKUP_DB_PASSWORD", valueFrom: `${arn("backup")}:password::` },
      { name: "DB_MASTER_SECRET", valueFrom: arn("master") },
    ]);
    const decrypt = parseJsonInput(one(plan, "aws:iam/rolePolicy:RolePolicy", "db-bootstrap-job-execution"), "policy").Statement.find(
      (s: any) => s.Sid === "DecryptSecrets",
    );
    expect(decrypt.Resource).toEqual([KEY]);
  });

  it("runs the task on the given cluster after what it was told to wait for", () => {
    const run = one(plan, "command:local:Command");
    expect((run.inputs.environment as any).CLUSTER).toBe("arn:aws:ecs:eu-central-1:123456789012:cluster/c");
    expect(run.options.dependsOn).toContain(one(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "jobs-to-db").urn);
  });
});

describe("DbBootstrap for a tenant with the lender's Chroma", () => {
  const CHROMA_TOKEN = arn("chroma-token");
  const CHROMA_KEY = "arn:aws:kms:eu-central-1:123456789012:key/lender-data";
  let plan: Plan;
  beforeAll(async () => {
    plan = await renderComponent(() => {
      const { DbBootstrap } = load<typeof import("../../../components/data/dbBootstrap")>("components/data/dbBootstrap");
      new DbBootstrap("db-bootstrap", {
        namePrefix: "chatbot-pr-7",
        region: "eu-central-1",
        image: { uri: "example.org/db-init@sha256:" + "d".repeat(64) },
        database: {
          host: "db.internal",
          port: 5432,
          name: "chatbot_pr_7",
          masterSecretArn: arn("master"),
          appSecretArn: arn("app"),
          backupSecretArn: arn("backup"),
          secretKmsKeyArn: KEY,
        },
        clusterArn: "arn:aws:ecs:eu-central-1:123456789012:cluster/c",
        subnetIds: ["subnet-a"],
        securityGroupId: "sg-jobs",
        logRetentionDays: 3,
        runAfter: [],
        timeoutSeconds: 900,
        tenant: {
          name: "pr_7",
          roles: { owner: "pr_7_migrator", app: "pr_7_app", backup: "pr_7_backup", readonly: "pr_7_readonly" },
          chroma: { url: "http://chroma.staging.chatbot.internal:8000", tokenSecretArn: CHROMA_TOKEN, tokenKmsKeyArn: CHROMA_KEY },
        },
      });
    });
  });

  it("tells db-init the Chroma URL and the tenant's database, and hands it the token only as an ECS secret", () => {
    const [container] = parseJsonInput<any[]>(one(plan, "aws:ecs/taskDefinition:TaskDefinition"), "containerDefinitions");
    const env = Object.fromEntries((container.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ DB_TENANT: "pr_7", CHROMA_URL: "http://chroma.staging.chatbot.internal:8000", CHROMA_DATABASE: "pr_7" });
    expect(env.CHROMA_TOKEN).toBeUndefined();
    expect(container.secrets).toContainEqual({ name: "CHROMA_TOKEN", valueFrom: CHROMA_TOKEN });
  });

  it("lets the execution role decrypt the token with the lender's key, for that secret only", () => {
    const policy = parseJsonInput(one(plan, "aws:iam/rolePolicy:RolePolicy", "db-bootstrap-job-execution"), "policy");
    expect(policy.Statement.find((s: any) => s.Sid === "ReadSecrets").Resource).toContain(CHROMA_TOKEN);
    const decrypt = policy.Statement.find((s: any) => s.Sid === "DecryptSecrets");
    expect([...decrypt.Resource].sort()).toEqual([CHROMA_KEY, KEY].sort());
    expect(decrypt.Condition.StringEquals["kms:EncryptionContext:SecretARN"]).toContain(CHROMA_TOKEN);
  });

  it("drops the tenant (its Chroma database included) with the same task on destroy", () => {
    expect(String(one(plan, "command:local:Command").inputs.delete)).toContain(`"command":["--drop"]`);
  });
});
