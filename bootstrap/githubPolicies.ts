/**
 * The permissions of each GitHub environment's role, as plain policy documents (tested without a
 * cloud). Three kinds: read-only (previews of staging and prod on pull requests), pr-stacks (create
 * and destroy `<appProject>-pr-*` stacks only) and deploy (one long-lived stack).
 */
export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** What `pulumi preview --refresh` reads of the program's resources: no object, secret or parameter values. */
export const READ_ACTIONS = [
  "application-autoscaling:Describe*",
  "acm:DescribeCertificate",
  "acm:ListCertificates",
  "acm:ListTagsForCertificate",
  "budgets:ViewBudget",
  "budgets:ListTagsForResource",
  "cloudwatch:Describe*",
  "cloudwatch:GetDashboard",
  "cloudwatch:ListTagsForResource",
  "ec2:Describe*",
  "ecr:Describe*",
  "ecr:GetLifecyclePolicy",
  "ecr:GetRegistryScanningConfiguration",
  "ecr:ListTagsForResource",
  "ecs:Describe*",
  "ecs:List*",
  "elasticache:Describe*",
  "elasticache:ListTagsForResource",
  "elasticfilesystem:Describe*",
  "elasticloadbalancing:Describe*",
  "events:Describe*",
  "events:List*",
  "iam:GetRole",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "iam:ListRolePolicies",
  "iam:GetOpenIDConnectProvider",
  "inspector2:BatchGetAccountStatus",
  "kms:DescribeKey",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListResourceTags",
  "logs:Describe*",
  "logs:ListTagsForResource",
  "rds:Describe*",
  "rds:ListTagsForResource",
  "route53:GetHostedZone",
  "route53:ListResourceRecordSets",
  "route53:ListTagsForResource",
  "s3:GetBucket*",
  "s3:GetEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration",
  "scheduler:GetSchedule",
  "scheduler:ListTagsForResource",
  "secretsmanager:DescribeSecret",
  "secretsmanager:GetResourcePolicy",
  "servicediscovery:Get*",
  "servicediscovery:List*",
  "sns:GetTopicAttributes",
  "sns:GetSubscriptionAttributes",
  "sns:ListTagsForResource",
  "sqs:GetQueueAttributes",
  "sqs:ListQueueTags",
  "sts:GetCallerIdentity",
  "wafv2:Get*",
  "wafv2:List*",
];

/** Services whose resources the app program creates, updates and deletes. */
export const DEPLOY_SERVICES = [
  "application-autoscaling",
  "budgets",
  "cloudwatch",
  "ec2",
  "ecr",
  "ecs",
  "elasticache",
  "elasticfilesystem",
  "elasticloadbalancing",
  "events",
  "kms",
  "logs",
  "rds",
  "s3",
  "scheduler",
  "secretsmanager",
  "servicediscovery",
  "sns",
  "sqs",
  "wafv2",
];

/** KMS use of the stack's secrets-provider key: the CLI decrypts the stack file's data key and encrypts new secrets. */
function secretsKey(keyArns: string[]): Statement {
  return {
    Sid: "PulumiSecretsProvider",
    Effect: "Allow",
    Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
    Resource: [...keyArns].sort(),
  };
}

export function readOnlyPolicy(secretsKeyArns: string[]): Statement[] {
  return [
    { Sid: "Read", Effect: "Allow", Action: READ_ACTIONS, Resource: "*" },
    // A preview decrypts the stack's config; it never encrypts (nothing is written).
    { ...secretsKey(secretsKeyArns), Action: ["kms:Decrypt", "kms:DescribeKey"] },
  ];
}

export interface ScopeArgs {
  account: string;
  region: string;
  /** `<appProject>-<stack>` (deploy) or `<appProject>-pr-` (pr-stacks): the start of every physical name. */
  namePrefix: string;
  /** The `stack` tag value, or pattern (`pr-*`), of the resources this role may change. */
  stackTag: string;
  hostedZoneId: string;
  secretsKeyArn: string;
}

/** IAM roles and policies are global and named: only the stack's own, and only handed to AWS services. */
function iamStatements(a: ScopeArgs): Statement[] {
  const own = [`arn:aws:iam::${a.account}:role/${a.namePrefix}*`, `arn:aws:iam::${a.account}:policy/${a.namePrefix}*`];
  return [
    { Sid: "OwnRoles", Effect: "Allow", Action: ["iam:*Role*", "iam:*Policy*", "iam:TagRole", "iam:UntagRole"], Resource: own },
    { Sid: "PassOwnRoles", Effect: "Allow", Action: ["iam:PassRole"], Resource: own[0] },
    { Sid: "ServiceLinkedRoles", Effect: "Allow", Action: ["iam:CreateServiceLinkedRole"], Resource: `arn:aws:iam::${a.account}:role/aws-service-role/*` },
  ];
}

function dnsStatement(a: ScopeArgs): Statement {
  return {
    Sid: "ApiRecords",
    Effect: "Allow",
    Action: ["route53:ChangeResourceRecordSets", "route53:GetChange"],
    Resource: [`arn:aws:route53:::hostedzone/${a.hostedZoneId}`, "arn:aws:route53:::change/*"],
  };
}

/** One long-lived stack: its services in its region, never a resource another stack (or bootstrap) tagged. */
export function deployPolicy(a: ScopeArgs): Statement[] {
  return [
    { Sid: "Read", Effect: "Allow", Action: READ_ACTIONS, Resource: "*" },
    {
      Sid: "Deploy",
      Effect: "Allow",
      Action: DEPLOY_SERVICES.map((s) => `${s}:*`),
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": a.region } },
    },
    ...iamStatements(a),
    dnsStatement(a),
    secretsKey([a.secretsKeyArn]),
    // Both conditions must hold: the resource is tagged, and for another stack.
    {
      Sid: "NotOtherStacks",
      Effect: "Deny",
      Action: DEPLOY_SERVICES.map((s) => `${s}:*`),
      Resource: "*",
      Condition: { StringNotEquals: { "aws:ResourceTag/stack": a.stackTag }, Null: { "aws:ResourceTag/stack": "false" } },
    },
  ];
}

/**
 * pr-<n> stacks only: a resource is theirs by name (`<appProject>-pr-*` in its ARN) or, for
 * resources with generated ids (EC2, listener rules), by the `stack` tag `pr-*` it carries or is
 * created with.
 */
export function prStacksPolicy(a: ScopeArgs): Statement[] {
  const actions = DEPLOY_SERVICES.map((s) => `${s}:*`);
  return [
    { Sid: "Read", Effect: "Allow", Action: READ_ACTIONS, Resource: "*" },
    { Sid: "ByName", Effect: "Allow", Action: actions, Resource: [`arn:aws:*:${a.region}:${a.account}:*${a.namePrefix}*`, `arn:aws:s3:::${a.namePrefix}*`] },
    {
      Sid: "ByTag",
      Effect: "Allow",
      Action: actions,
      Resource: "*",
      Condition: { StringLike: { "aws:ResourceTag/stack": a.stackTag }, StringEquals: { "aws:RequestedRegion": a.region } },
    },
    {
      Sid: "CreateTagged",
      Effect: "Allow",
      Action: actions,
      Resource: "*",
      Condition: { StringLike: { "aws:RequestTag/stack": a.stackTag }, StringEquals: { "aws:RequestedRegion": a.region } },
    },
    ...iamStatements(a),
    dnsStatement(a),
    secretsKey([a.secretsKeyArn]),
  ];
}

/** Trust of each role: GitHub's OIDC tokens for one environment of one repository, for STS only. */
export function githubTrust(providerArn: string, repository: string, environment: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": `repo:${repository}:environment:${environment}`,
          },
        },
      },
    ],
  });
}
