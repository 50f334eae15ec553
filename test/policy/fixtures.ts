/** Hand-built plans (tools/plan/types.ts shape) for the policy tests. */
import type { Plan, PlanResource } from "../../tools/plan/types";

export const PROVIDER_URN = "urn:pulumi:test::chatbot::pulumi:providers:aws::tagged";

export function urn(type: string, name: string): string {
  return `urn:pulumi:test::chatbot::${type}::${name}`;
}

export function res(type: string, name: string, inputs: Record<string, unknown>, extra: { dependsOn?: string[]; provider?: string | null } = {}): PlanResource {
  return {
    urn: urn(type, name),
    type,
    name,
    parent: null,
    inputs,
    options: { protect: false, retainOnDelete: false, dependsOn: extra.dependsOn ?? [] },
    provider: extra.provider === undefined ? PROVIDER_URN : extra.provider,
  };
}

export const TAGS = { project: "chatbot", stack: "test", part: "backup", "managed-by": "pulumi" };

export function provider(tags: Record<string, string> = TAGS): PlanResource {
  return { ...res("pulumi:providers:aws", "tagged", { region: "eu-central-1", defaultTags: { tags } }, { provider: null }), urn: PROVIDER_URN };
}

export function plan(resources: PlanResource[], tier: string | undefined = "production"): Plan {
  const all = resources.some((r) => r.urn === PROVIDER_URN) ? resources : [provider(), ...resources];
  return { project: "chatbot", stack: "test", resources: [...all].sort((a, b) => a.urn.localeCompare(b.urn)), outputs: tier === undefined ? {} : { tier } };
}

// ---- building blocks of a compliant stack -------------------------------------------------

export const T = {
  bucket: "aws:s3/bucket:Bucket",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  rds: "aws:rds/instance:Instance",
  redis: "aws:elasticache/replicationGroup:ReplicationGroup",
  efs: "aws:efs/fileSystem:FileSystem",
  taskDef: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  lb: "aws:lb/loadBalancer:LoadBalancer",
  listener: "aws:lb/listener:Listener",
  waf: "aws:wafv2/webAclAssociation:WebAclAssociation",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  iamPolicy: "aws:iam/policy:Policy",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  role: "aws:iam/role:Role",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  kms: "aws:kms/key:Key",
} as const;

export function tlsOnlyPolicy(bucketArn = "arn:aws:s3:::chatbot-test-backup"): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/** A bucket with every protection, linked by the bucket's physical name. */
export function protectedBucket(name = "backup", bucket = "chatbot-test-backup"): PlanResource[] {
  return [
    res(T.bucket, name, { bucket, forceDestroy: false }),
    res(T.pab, `${name}-pab`, { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
    res(T.sse, `${name}-sse`, { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "key-id" } }] }),
    res(T.versioning, `${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }),
    res(T.lifecycle, `${name}-lifecycle`, { bucket, rules: [{ id: "expire", status: "Enabled", expiration: { days: 30 } }] }),
    res(T.bucketPolicy, `${name}-policy`, { bucket, policy: tlsOnlyPolicy() }),
  ];
}

export const goodContainers = JSON.stringify([
  {
    name: "api",
    image: "123.dkr.ecr.eu-central-1.amazonaws.com/api@sha256:abc",
    readonlyRootFilesystem: true,
    environment: [
      { name: "LOG_LEVEL", value: "info" },
      { name: "LLM_MAX_TOKENS", value: "1024" },
      { name: "DB_SECRET_ARN", value: "arn:aws:secretsmanager:eu-central-1:123:secret:db" },
    ],
    secrets: [{ name: "DATABASE_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-central-1:123:secret:db" }],
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/chatbot/test/api" } },
  },
]);

/** A small stack that passes every rule (tier production). */
export function compliantResources(): PlanResource[] {
  const albSg = res(T.sg, "alb", {
    name: "chatbot-test-alb",
    ingress: [
      { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
      { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] },
    ],
  });
  const dbSg = res(T.sg, "db", { name: "chatbot-test-db", ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-app"] }] });
  const lb = res(T.lb, "alb", {
    loadBalancerType: "application",
    internal: false,
    securityGroups: ["chatbot-test-alb"],
    accessLogs: { enabled: true, bucket: "chatbot-test-alb-logs" },
  });
  return [
    ...protectedBucket(),
    res(T.rds, "db", {
      engine: "postgres",
      storageEncrypted: true,
      publiclyAccessible: false,
      backupRetentionPeriod: 14,
      iamDatabaseAuthenticationEnabled: true,
      deletionProtection: true,
      multiAz: true,
      password: "[secret]",
    }),
    res(T.redis, "cache", { transitEncryptionEnabled: true, atRestEncryptionEnabled: true, authToken: "[secret]" }),
    res(T.efs, "chroma", { encrypted: true }),
    res(T.taskDef, "api", {
      family: "chatbot-test-api",
      containerDefinitions: goodContainers,
      volumes: [{ name: "chroma", efsVolumeConfiguration: { fileSystemId: "fs-1", transitEncryption: "ENABLED" } }],
    }),
    res(T.service, "api", { networkConfiguration: { assignPublicIp: false, subnets: ["subnet-a"] } }),
    lb,
    res(T.listener, "https", {
      loadBalancerArn: "arn",
      protocol: "HTTPS",
      port: 443,
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
    }),
    res(T.listener, "http", {
      loadBalancerArn: "arn",
      protocol: "HTTP",
      port: 80,
      defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    }),
    res(T.waf, "alb-waf", { resourceArn: "arn:aws:elasticloadbalancing:mock", webAclArn: "arn:waf" }, { dependsOn: [lb.urn] }),
    albSg,
    dbSg,
    res(T.role, "task", {
      assumeRolePolicy: "{}",
      inlinePolicies: [
        {
          name: "read-secrets",
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:*:*:secret:chatbot-*" }],
          }),
        },
      ],
    }),
    res(
      T.attachment,
      "task-exec",
      { role: "task", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" },
      { provider: PROVIDER_URN },
    ),
    res(T.logGroup, "api", { retentionInDays: 30 }),
    res(T.kms, "backup", { enableKeyRotation: true, deletionWindowInDays: 30 }),
  ];
}
