import { PolicyStatement } from "../shared/policyStatement";

/**
 * The job's own AWS permissions: write, read and list its folder of the bucket with the bucket's
 * key. Nothing that deletes: retention is the lifecycle's job, and a stolen task credential
 * cannot destroy backups.
 */
export function backupTaskStatements(bucketArn: string, prefix: string, kmsKeyArn: string, region: string): PolicyStatement[] {
  const objects = `${bucketArn}/${prefix}/*`;
  return [
    { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"], Resource: objects },
    // verify and restore download; HeadObject (the job's "is this key free?") is GetObject too.
    { Sid: "ReadBackups", Effect: "Allow", Action: "s3:GetObject", Resource: objects },
    // IfExists: S3 answers a HeadObject of a missing key with 404 only to a caller that may
    // ListBucket, and that request carries no s3:prefix; a plain StringLike would turn the job's
    // existence checks into 403s. Listing is still confined to the prefix whenever one is given.
    { Sid: "ListBackups", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLikeIfExists: { "s3:prefix": [`${prefix}/*`] } } },
    {
      Sid: "BackupKey",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
    },
  ];
}

/** Trust policy of the scheduler's role: EventBridge Scheduler, for schedules of this account only. */
export function schedulerAssumeRolePolicy(acct: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "scheduler.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": acct } },
      },
    ],
  });
}

/** What the scheduler role's policy is scoped to. */
export interface SchedulerPolicyArgs {
  /** `arn:<partition>:ecs:<region>:<account>:task-definition/<family>:` (any revision). */
  tdPrefix: string;
  clusterArn: string;
  taskRole: string;
  execRole: string;
  dlqArn: string;
  acct: string;
  part: string;
  region: string;
  /** Sid of the RunTask statement, naming the task (`RunBackupTask`, `RunDrillTask`). */
  runSid: string;
}

/** A scheduler role's policy: run one task definition on the cluster (tagging it, passing its roles), and dead-letter. */
export function schedulerPolicy({ tdPrefix, clusterArn, taskRole, execRole, dlqArn, acct, part, region, runSid }: SchedulerPolicyArgs): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: runSid, Effect: "Allow", Action: "ecs:RunTask", Resource: `${tdPrefix}*`, Condition: { ArnEquals: { "ecs:cluster": clusterArn } } },
      // propagateTags tags the task at launch, which ECS authorizes as TagResource.
      {
        Sid: "TagTaskAtLaunch",
        Effect: "Allow",
        Action: "ecs:TagResource",
        Resource: `arn:${part}:ecs:${region}:${acct}:task/*`,
        Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
      },
      {
        Sid: "PassTaskRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [taskRole, execRole],
        Condition: { StringLike: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      { Sid: "DeadLetters", Effect: "Allow", Action: "sqs:SendMessage", Resource: dlqArn },
    ],
  });
}

/**
 * The ECS task state change that means a run failed: a container exited non-zero, or the task
 * never got to run its container (image pull, secrets). Any revision of the family, on the cluster.
 */
export function taskFailedPattern(clusterArn: string, tdPrefix: string): string {
  return JSON.stringify({
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [clusterArn],
      taskDefinitionArn: [{ prefix: tdPrefix }],
      lastStatus: ["STOPPED"],
      $or: [{ containers: { exitCode: [{ "anything-but": 0 }] } }, { stopCode: ["TaskFailedToStart"] }],
    },
  });
}
