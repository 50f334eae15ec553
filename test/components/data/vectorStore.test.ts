/** Chroma alone: one writer, encrypted EFS mounted with TLS and IAM, token only as a secret, the shared execution policy. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { EGRESS_RULE, INGRESS_RULE, one, parseJsonInput, rulesOf, SECURITY_GROUP } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const KEY = "arn:aws:kms:eu-central-1:123456789012:key/data";

describe("VectorStore", () => {
  let plan: Plan;
  let container: any;
  beforeAll(async () => {
    plan = await renderComponent(() => {
      const { VectorStore } = load<typeof import("../../../components/data/vectorStore")>("components/data/vectorStore");
      new VectorStore("chroma", {
        namePrefix: "chatbot-test",
        region: "eu-central-1",
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b"],
        clusterArn: "arn:aws:ecs:eu-central-1:123456789012:cluster/c",
        image: { uri: "chromadb/chroma:0.6.3" },
        cpu: 256,
        memory: 512,
        kmsKeyArn: KEY,
        namespaceName: "test.chatbot.internal",
        apiClientSecurityGroups: { app: "sg-app" },
        fileClientSecurityGroups: { jobs: "sg-jobs" },
        logRetentionDays: 7,
        protect: true,
        tokenRotation: 0,
      });
    });
    [container] = parseJsonInput<any[]>(one(plan, "aws:ecs/taskDefinition:TaskDefinition"), "containerDefinitions");
  });

  it("owns one service, one task definition, an encrypted file system mounted in each subnet, and its discovery name", () => {
    expect(typeCounts(plan)).toMatchObject({
      "aws:ecs/service:Service": 1,
      "aws:ecs/taskDefinition:TaskDefinition": 1,
      "aws:efs/fileSystem:FileSystem": 1,
      "aws:efs/mountTarget:MountTarget": 2,
      "aws:efs/accessPoint:AccessPoint": 1,
      "aws:servicediscovery/service:Service": 1,
    });
    expect(one(plan, "aws:efs/fileSystem:FileSystem").inputs).toMatchObject({ encrypted: true, kmsKeyId: KEY });
    expect(one(plan, "aws:efs/fileSystem:FileSystem").options).toMatchObject({ protect: true, retainOnDelete: true });
  });

  it("runs exactly one task, never two at once (one SQLite writer)", () => {
    expect(one(plan, "aws:ecs/service:Service").inputs).toMatchObject({
      desiredCount: 1,
      deploymentMinimumHealthyPercent: 0,
      deploymentMaximumPercent: 100,
      networkConfiguration: { assignPublicIp: false },
    });
  });

  it("mounts its data over TLS with IAM, and reads the token only as an ECS secret", () => {
    const task = one(plan, "aws:ecs/taskDefinition:TaskDefinition");
    expect((task.inputs.volumes as any[]).find((v) => v.name === "data").efsVolumeConfiguration).toMatchObject({
      transitEncryption: "ENABLED",
      authorizationConfig: { iam: "ENABLED" },
    });
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.secrets.map((s: any) => s.name)).toEqual(["CHROMA_SERVER_AUTHN_CREDENTIALS"]);
    expect(container.environment.map((e: any) => e.name)).not.toContain("CHROMA_SERVER_AUTHN_CREDENTIALS");
  });

  it("lets its execution role decrypt only the token, through Secrets Manager, and pull nothing from ECR (Docker Hub image)", () => {
    const doc = parseJsonInput(one(plan, "aws:iam/rolePolicy:RolePolicy", "chroma-execution"), "policy");
    expect(doc.Statement.map((s: any) => s.Sid)).toEqual(["WriteLogs", "ReadSecrets", "DecryptSecrets"]);
    const decrypt = doc.Statement[2];
    expect(decrypt.Resource).toEqual([KEY]);
    expect(decrypt.Condition.StringEquals["kms:EncryptionContext:SecretARN"]).toEqual(doc.Statement[1].Resource);
  });

  it("admits its API only from the app and NFS only from Chroma and the file clients", () => {
    expect(rulesOf(plan, INGRESS_RULE, one(plan, SECURITY_GROUP, "chroma-sg"))).toEqual(["tcp 8000-8000 from unknown group sg-app"]);
    expect(rulesOf(plan, INGRESS_RULE, one(plan, SECURITY_GROUP, "chroma-efs-sg"))).toEqual([
      "tcp 2049-2049 from chroma-sg",
      "tcp 2049-2049 from unknown group sg-jobs",
    ]);
    expect(rulesOf(plan, EGRESS_RULE, one(plan, SECURITY_GROUP, "chroma-sg"))).toEqual(["tcp 2049-2049 to chroma-efs-sg", "tcp 443-443 to 0.0.0.0/0"]);
  });
});
