/** The one Fargate task builder, alone: what every service, job and Chroma task inherits from it. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const SECRET_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:db-AbCdEf";
const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/data";

function build(over: Record<string, unknown> = {}) {
  const pulumi = load<typeof import("@pulumi/pulumi")>("node_modules/@pulumi/pulumi");
  const { fargateTask } = load<typeof import("../../../components/shared/fargateTask")>("components/shared/fargateTask");
  const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
  fargateTask(
    "job",
    {
      namePrefix: "chatbot-test",
      family: "chatbot-test-job",
      region: "eu-central-1",
      cpu: 256,
      memory: 512,
      logRetentionDays: 7,
      container: {
        name: "job",
        image: {
          uri: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/job@sha256:" + "a".repeat(64),
          repositoryArn: "arn:aws:ecr:eu-central-1:123456789012:repository/job",
        },
        leading: { readonlyRootFilesystem: true },
        environment: { B_SETTING: "b", A_SETTING: "a" },
        secrets: { DATABASE_URL: { secretArn: SECRET_ARN, jsonKey: "url", kmsKeyArn: KEY_ARN, versionId: "v1" }, NOT_PROVIDED: undefined },
        logStreamPrefix: "job",
      },
      volumes: [],
      taskRole: { statements: [{ Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }] },
      ...over,
    },
    parent,
  );
}

describe("fargateTask", () => {
  let plan: Plan;
  let container: any;
  beforeAll(async () => {
    plan = await renderComponent(() => build());
    [container] = parseJsonInput<any[]>(one(plan, "aws:ecs/taskDefinition:TaskDefinition"), "containerDefinitions");
  });

  it("owns a log group, two roles with a policy each and the task definition", () => {
    expect(typeCounts(plan)).toEqual({
      "test:index:Parent": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:iam/role:Role": 2,
      [ROLE_POLICY]: 2,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
    });
    expect(one(plan, "aws:cloudwatch/logGroup:LogGroup").inputs).toMatchObject({ name: "/chatbot-test/ecs/job", retentionInDays: 7 });
  });

  it("runs the container read-only, with secrets only as ECS secrets pinned to their version", () => {
    expect(container).toMatchObject({ name: "job", essential: true, readonlyRootFilesystem: true });
    expect(container.secrets).toEqual([{ name: "DATABASE_URL", valueFrom: `${SECRET_ARN}:url::v1` }]);
    // In the order given: the definition is a JSON string, and a reorder would be a new revision.
    expect(container.environment).toEqual([
      { name: "B_SETTING", value: "b" },
      { name: "A_SETTING", value: "a" },
    ]);
    expect(container.logConfiguration.options).toEqual({
      "awslogs-group": "/chatbot-test/ecs/job",
      "awslogs-region": "eu-central-1",
      "awslogs-stream-prefix": "job",
    });
  });

  it("lets the execution role pull from its repository, write its log group and read exactly its secrets", () => {
    const doc = parseJsonInput(one(plan, ROLE_POLICY, "job-execution"), "policy");
    const bySid = Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, s]));
    expect(Object.keys(bySid)).toEqual(["EcrLogin", "PullImage", "WriteLogs", "ReadSecrets", "DecryptSecrets"]);
    expect(bySid.PullImage.Resource).toBe("arn:aws:ecr:eu-central-1:123456789012:repository/job");
    expect(bySid.ReadSecrets.Resource).toEqual([SECRET_ARN]);
    expect(bySid.DecryptSecrets.Resource).toEqual([KEY_ARN]);
    expect(bySid.DecryptSecrets.Condition.StringEquals).toEqual({
      "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com",
      "kms:EncryptionContext:SecretARN": [SECRET_ARN],
    });
  });

  it("gives the task role only the caller's statements", () => {
    expect(parseJsonInput(one(plan, ROLE_POLICY, "job-task"), "policy").Statement).toEqual([
      { Sid: "Read", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" },
    ]);
  });

  it("declares no task role when none is asked for", async () => {
    const bare = await renderComponent(() => build({ taskRole: undefined }));
    expect(typeCounts(bare)["aws:iam/role:Role"]).toBe(1);
    expect(one(bare, "aws:ecs/taskDefinition:TaskDefinition").inputs.taskRoleArn).toBeUndefined();
  });

  it("refuses a writable root filesystem, naming the fix", async () => {
    await expect(
      renderComponent(() => build({ container: { name: "job", image: { uri: "x" }, leading: {}, environment: {}, secrets: {}, logStreamPrefix: "job" } })),
    ).rejects.toThrow("container job must set readonlyRootFilesystem: true");
  });
});
