import { effectiveTags, ofType, one, parseJsonInput, planFor, EGRESS_RULE, idOf, INGRESS_RULE, rulesOf, SECURITY_GROUP } from "./support/plan";
import { ecrRepository } from "../components/shared/buildContext";
import { mockState } from "../tools/plan/mockOutputs";
import type { RenderedStack } from "../tools/plan/render";
import type { Plan, PlanResource } from "../tools/plan/types";

const SG = SECURITY_GROUP;
const INGRESS = INGRESS_RULE;
const EGRESS = EGRESS_RULE;
const FS = "aws:efs/fileSystem:FileSystem";
const AP = "aws:efs/accessPoint:AccessPoint";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const SERVICE = "aws:ecs/service:Service";
const SECRET = "aws:secretsmanager/secret:Secret";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const PASSWORD = "random:index/randomPassword:RandomPassword";

const stacks: Record<string, RenderedStack> = {};
beforeAll(async () => {
  for (const stack of ["staging", "prod"]) stacks[stack] = await planFor(stack);
});

describe.each(["staging", "prod"])("vector store of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, string>;
  let fs: PlanResource;
  let ap: PlanResource;
  let task: PlanResource;
  let container: any;
  let service: PlanResource;
  const cfg = (k: string) => config[`chatbot:${k}`];
  const arnOf = (r: PlanResource) => mockState(r.type, r.name, r.inputs, cfg("region")).arn as string;
  beforeAll(() => {
    ({ plan } = stacks[stack]);
    config = stacks[stack].config.config;
    fs = one(plan, FS, "chroma-fs");
    ap = one(plan, AP, "chroma-ap");
    task = one(plan, TASK, "chroma-task");
    [container] = parseJsonInput<any[]>(task, "containerDefinitions");
    service = one(plan, SERVICE, "chroma-service");
  });

  it("keeps the data on an encrypted, backed-up EFS file system, protected as config says", () => {
    expect(fs.inputs.encrypted).toBe(true);
    expect(fs.options.dependsOn).toContain(one(plan, "aws:kms/key:Key", "postgres-key").urn);
    expect(fs.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    const protect = cfg("protectStatefulResources") === "true";
    expect(fs.options).toMatchObject({ protect, retainOnDelete: protect });
    expect(one(plan, "aws:efs/backupPolicy:BackupPolicy").inputs).toEqual({ fileSystemId: idOf(fs), backupPolicy: { status: "ENABLED" } });
  });

  it("refuses NFS without TLS, and lets in only IAM identities (a file system policy exists)", () => {
    const policy = one(plan, "aws:efs/fileSystemPolicy:FileSystemPolicy");
    expect(policy.inputs.fileSystemId).toBe(idOf(fs));
    const doc = parseJsonInput(policy, "policy");
    expect(doc.Statement).toEqual([expect.objectContaining({ Effect: "Deny", Resource: arnOf(fs), Condition: { Bool: { "aws:SecureTransport": "false" } } })]);
    expect(doc.Statement.filter((s: any) => s.Effect === "Allow")).toEqual([]);
  });

  it("mounts one access point with a fixed POSIX owner, and has a mount target in every private subnet", () => {
    expect(ap.inputs.fileSystemId).toBe(idOf(fs));
    expect(ap.inputs.posixUser).toEqual({ uid: 1000, gid: 1000 });
    expect(ap.inputs.rootDirectory).toEqual({ path: "/chroma", creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0750" } });
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as any)?.tier === "private");
    const targets = ofType(plan, "aws:efs/mountTarget:MountTarget");
    expect(targets.map((t) => t.inputs.subnetId).sort()).toEqual(privateSubnets.map(idOf).sort());
    for (const t of targets) expect(t.inputs.securityGroups).toEqual([idOf(one(plan, SG, "chroma-efs-sg"))]);
  });

  it("runs the pinned image with the task size from config, read-only root, data on EFS over TLS with IAM", () => {
    expect(container.image).toBe(cfg("chromaImage"));
    expect(task.inputs.cpu).toBe(cfg("chromaCpu"));
    expect(task.inputs.memory).toBe(cfg("chromaMemory"));
    expect(task.inputs.requiresCompatibilities).toEqual(["FARGATE"]);
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.privileged ?? false).toBe(false);
    expect(task.inputs.volumes).toEqual(
      expect.arrayContaining([
        {
          name: "data",
          efsVolumeConfiguration: { fileSystemId: idOf(fs), transitEncryption: "ENABLED", authorizationConfig: { accessPointId: idOf(ap), iam: "ENABLED" } },
        },
        { name: "tmp" },
      ]),
    );
    const env = Object.fromEntries(container.environment.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({ IS_PERSISTENT: "TRUE", PERSIST_DIRECTORY: "/chroma/chroma", ANONYMIZED_TELEMETRY: "FALSE" });
    expect(container.mountPoints).toEqual(
      expect.arrayContaining([
        { sourceVolume: "data", containerPath: env.PERSIST_DIRECTORY, readOnly: false },
        { sourceVolume: "tmp", containerPath: "/tmp", readOnly: false },
      ]),
    );
    // The image's default command writes a log file into the read-only image.
    expect(container.command.join(" ")).not.toContain("--log-config");
  });

  it("checks health on the heartbeat and ships logs to a log group with retention", () => {
    expect(container.healthCheck.command.join(" ")).toContain("http://localhost:8000/api/v1/heartbeat");
    expect(container.portMappings).toEqual([{ containerPort: 8000, protocol: "tcp", name: "chroma" }]);
    const logs = one(plan, "aws:cloudwatch/logGroup:LogGroup", "chroma-logs");
    expect(logs.inputs.retentionInDays).toBe(Number(cfg("appLogRetentionDays")));
    expect(container.logConfiguration).toEqual({
      logDriver: "awslogs",
      options: { "awslogs-group": logs.inputs.name, "awslogs-region": cfg("region"), "awslogs-stream-prefix": "chroma" },
    });
  });

  it("requires a token that reaches the container only as an ECS secret, never in the plan", () => {
    const secret = one(plan, SECRET, "chroma-token");
    expect(secret.inputs.kmsKeyId).toBe(fs.inputs.kmsKeyId);
    const protect = cfg("protectStatefulResources") === "true";
    expect(secret.options).toMatchObject({ protect, retainOnDelete: protect });
    expect(one(plan, "aws:secretsmanager/secretVersion:SecretVersion", "chroma-token").inputs.secretString).toBe("[secret]");
    expect(container.environment).toContainEqual({
      name: "CHROMA_SERVER_AUTHN_PROVIDER",
      value: "chromadb.auth.token_authn.TokenAuthenticationServerProvider",
    });
    // Pinned to the current version, so a rotated token is a new revision and Chroma rolls onto it.
    expect(container.secrets).toEqual([
      { name: "CHROMA_SERVER_AUTHN_CREDENTIALS", valueFrom: expect.stringMatching(new RegExp(`^${arnOf(secret)}:::[0-9a-f-]{36}$`)) },
    ]);
    expect(plan.outputs.chromaTokenSecretArn).toBe(arnOf(secret));
    const token = one(plan, PASSWORD, "chroma-token");
    expect(token.inputs.length as number).toBeGreaterThanOrEqual(32);
    expect(token.inputs.special).toBe(false);
    const value = mockState(token.type, token.name, token.inputs, cfg("region")).result as string;
    expect(value).toHaveLength(token.inputs.length as number);
    expect(JSON.stringify(plan)).not.toContain(value);
  });

  it("runs one private task at a time on the shared cluster, named chroma.<stack>.chatbot.internal", () => {
    expect(service.inputs.cluster).toBe(arnOf(one(plan, "aws:ecs/cluster:Cluster")));
    expect(service.inputs).toMatchObject({ desiredCount: 1, deploymentMaximumPercent: 100, deploymentMinimumHealthyPercent: 0, launchType: "FARGATE" });
    const net = service.inputs.networkConfiguration as any;
    expect(net.assignPublicIp).toBe(false);
    expect(net.securityGroups).toEqual([idOf(one(plan, SG, "chroma-sg"))]);
    const privateSubnets = ofType(plan, "aws:ec2/subnet:Subnet").filter((s) => (s.inputs.tags as any)?.tier === "private");
    expect([...net.subnets].sort()).toEqual(privateSubnets.map(idOf).sort());
    for (const t of ofType(plan, "aws:efs/mountTarget:MountTarget")) expect(service.options.dependsOn).toContain(t.urn);
    const namespace = one(plan, "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace");
    expect(namespace.inputs.name).toBe(`${stack}.chatbot.internal`);
    expect(namespace.inputs.vpc).toBe(idOf(one(plan, "aws:ec2/vpc:Vpc")));
    const discovery = one(plan, "aws:servicediscovery/service:Service");
    expect(discovery.inputs.name).toBe("chroma");
    expect(service.inputs.serviceRegistries).toEqual({ registryArn: arnOf(discovery) });
    expect(plan.outputs.chromaUrl).toBe(`http://chroma.${stack}.chatbot.internal:8000`);
  });

  it("gives the task role only mount and write on its file system through its access point", () => {
    const doc = parseJsonInput(one(plan, POLICY, "chroma-task"), "policy");
    expect(doc.Statement).toEqual([
      {
        Sid: "MountThroughAccessPoint",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: arnOf(fs),
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": arnOf(ap) } },
      },
    ]);
    expect(task.inputs.taskRoleArn).toBe(arnOf(one(plan, "aws:iam/role:Role", "chroma-task")));
  });

  it("gives the execution role only its log streams, its secret and the key behind it (Docker Hub needs no pull rights)", () => {
    const logs = one(plan, "aws:cloudwatch/logGroup:LogGroup", "chroma-logs");
    const doc = parseJsonInput(one(plan, POLICY, "chroma-execution"), "policy");
    const byAction = Object.fromEntries(doc.Statement.map((s: any) => [[s.Action].flat().join(","), s.Resource]));
    const token = arnOf(one(plan, SECRET, "chroma-token"));
    expect(byAction).toEqual({
      "logs:CreateLogStream,logs:PutLogEvents": `${arnOf(logs)}:log-stream:*`,
      "secretsmanager:GetSecretValue": [token],
      "kms:Decrypt": [fs.inputs.kmsKeyId],
    });
    // The shared execution policy: the key decrypts only through Secrets Manager, for this secret only.
    const decrypt = doc.Statement.find((s: any) => s.Action === "kms:Decrypt");
    expect(decrypt.Condition.StringEquals["kms:EncryptionContext:SecretARN"]).toEqual([token]);
    expect(task.inputs.executionRoleArn).toBe(arnOf(one(plan, "aws:iam/role:Role", "chroma-execution")));
  });

  it("admits the API only from the app (and the jobs, for previews' db-init, in a lender), NFS only from Chroma and the jobs; Chroma reaches only HTTPS and its NFS", () => {
    const chroma = one(plan, SG, "chroma-sg");
    const efs = one(plan, SG, "chroma-efs-sg");
    for (const g of [chroma, efs]) expect(g.inputs.ingress ?? []).toEqual([]);
    const lends = cfg("lendsToPreviews") === "true";
    expect(rulesOf(plan, INGRESS, chroma)).toEqual(["tcp 8000-8000 from network-app-sg", ...(lends ? ["tcp 8000-8000 from network-jobs-sg"] : [])]);
    expect(rulesOf(plan, INGRESS, efs)).toEqual(["tcp 2049-2049 from chroma-sg", "tcp 2049-2049 from network-jobs-sg"]);
    expect(rulesOf(plan, EGRESS, chroma)).toEqual(["tcp 2049-2049 to chroma-efs-sg", "tcp 443-443 to 0.0.0.0/0"]);
    expect(rulesOf(plan, EGRESS, efs)).toEqual([]);
  });

  it("creates its AWS resources through the data part's provider, which tags them", () => {
    const mine = plan.resources.filter((r) => r.parent?.endsWith("::chroma") && r.type.startsWith("aws:"));
    expect(mine.length).toBeGreaterThan(15);
    for (const r of mine) expect(effectiveTags(plan, r)).toMatchObject({ project: "chatbot", stack, part: "data", "managed-by": "pulumi" });
  });
});

describe("prod vector store", () => {
  it("protects the file system and the token secret from a destroy", () => {
    const { plan } = stacks.prod;
    for (const r of [one(plan, FS, "chroma-fs"), one(plan, SECRET, "chroma-token")]) {
      expect(r.options).toMatchObject({ protect: true, retainOnDelete: true });
    }
  });
});

describe("ecrRepository", () => {
  it("finds the repository of an ECR image, by tag or digest", () => {
    expect(ecrRepository("123456789012.dkr.ecr.eu-central-1.amazonaws.com/mirror/chroma:0.6.3")).toEqual({
      account: "123456789012",
      region: "eu-central-1",
      repository: "mirror/chroma",
    });
    expect(ecrRepository(`123456789012.dkr.ecr.us-east-1.amazonaws.com/chroma@sha256:${"a".repeat(64)}`)).toEqual({
      account: "123456789012",
      region: "us-east-1",
      repository: "chroma",
    });
  });

  it("finds none for other registries", () => {
    expect(ecrRepository("chromadb/chroma:0.6.3")).toBeUndefined();
    expect(ecrRepository("ghcr.io/chroma-core/chroma:0.6.3")).toBeUndefined();
  });
});
