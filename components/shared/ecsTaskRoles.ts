import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The account and partition the roles trust: looked up once per task definition, shared by its roles. */
export interface AccountIdentity {
  account: pulumi.Output<string>;
  partition: pulumi.Output<string>;
}

export function accountIdentity(parent: pulumi.Resource): AccountIdentity {
  return { account: aws.getCallerIdentityOutput({}, { parent }).accountId, partition: aws.getPartitionOutput({}, { parent }).partition };
}

/**
 * Trust policy of an ECS task role or execution role: only ECS tasks of this account may assume
 * it (the confused-deputy guard). Task roles also pin `aws:SourceArn` to this account and region's
 * ECS resources, as AWS documents for task roles; execution roles do not: AWS documents that
 * condition for task roles only, and if the ECS agent sends no SourceArn when it assumes the
 * execution role, no task could pull its image or read its secrets. `aws:SourceAccount` alone is
 * what working public deployments use on execution roles.
 */
export function ecsTaskTrustPolicy(region: string, identity: AccountIdentity, role: "task" | "execution"): pulumi.Output<string> {
  return pulumi
    .all([identity.account, identity.partition])
    .apply(([acct, part]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
              StringEquals: { "aws:SourceAccount": acct },
              ...(role === "task" ? { ArnLike: { "aws:SourceArn": `arn:${part}:ecs:${region}:${acct}:*` } } : {}),
            },
          },
        ],
      }),
    );
}

export interface ExecutionPolicyArgs {
  region: string;
  logGroupArn: pulumi.Input<string>;
  /** ECR repository the image is pulled from; undefined for a public registry (no permission needed). */
  imageRepositoryArn?: pulumi.Input<string | undefined>;
  /** Secrets Manager ARNs the container's `secrets` read. */
  secretArns: pulumi.Input<string>[];
  /** Keys of those secrets; undefined where a secret uses the AWS-managed key. */
  kmsKeyArns: pulumi.Input<string | undefined>[];
}

/** What the ECS agent may do for one task: pull its image, write its log streams, read exactly its secrets. */
export function executionPolicyDocument(args: ExecutionPolicyArgs): pulumi.Output<string> {
  return pulumi
    .all([args.logGroupArn, pulumi.output(args.imageRepositoryArn), pulumi.all(args.secretArns), pulumi.all(args.kmsKeyArns)])
    .apply(([logs, repo, arns, keys]) => {
      const statements: Record<string, unknown>[] = [];
      if (repo) {
        // GetAuthorizationToken has no resource to scope to; the pull itself is limited to one repository.
        statements.push({ Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
        statements.push({
          Sid: "PullImage",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
          Resource: repo,
        });
      }
      statements.push({ Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logs}:log-stream:*` });
      if (arns.length > 0) {
        const secretArns = [...new Set(arns)].sort();
        statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns });
        const keyArns = [...new Set(keys)];
        // Decrypt only through Secrets Manager and only for these secrets; keys named where known.
        statements.push({
          Sid: "DecryptSecrets",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: keyArns.every((k) => k !== undefined) ? (keyArns as string[]).sort() : "*",
          Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secretArns } },
        });
      }
      return JSON.stringify({ Version: "2012-10-17", Statement: statements });
    });
}
