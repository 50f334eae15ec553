/**
 * Argument rules the cloud enforces at create time and runtime mocks let through. Each rule
 * names its source; a violation fails Check, so `pulumi preview` stops naming the resource and
 * the argument before anything is created. Unknown values (not yet computed) pass: AWS would
 * judge them at create time, and so does the engine's Check on `up`.
 */
export interface CheckFailure {
  property: string;
  reason: string;
}

type Rule = (inputs: Record<string, any>) => CheckFailure[];

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The plain value, or undefined when it is unknown or absent (secrets are unwrapped). */
function plain(v: unknown): unknown {
  if (v && typeof v === "object" && (v as any)["4dabf18193072939515e22adb298388d"] === SECRET_SIG) return plain((v as any).value);
  return v === UNKNOWN ? undefined : v;
}

function str(inputs: Record<string, any>, key: string): string | undefined {
  const v = plain(inputs[key]);
  return typeof v === "string" ? v : undefined;
}

/** A name argument: at most `max` characters matching `pattern` (described as `allowed`). */
function name(key: string, max: number, pattern: RegExp, allowed: string, source: string): Rule {
  return (inputs) => {
    const v = str(inputs, key);
    if (v === undefined) return [];
    const out: CheckFailure[] = [];
    if (v.length > max) out.push({ property: key, reason: `"${v}" is ${v.length} characters; at most ${max} are allowed (${source})` });
    if (!pattern.test(v)) out.push({ property: key, reason: `"${v}" may contain only ${allowed} (${source})` });
    return out;
  };
}

/** EC2 accepts group and rule descriptions of a-z A-Z 0-9 spaces and ._-:/()#,@[]+=&;{}!$* only. */
const EC2_DESCRIPTION = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
function ec2Description(key: string, source: string): Rule {
  return (inputs) => {
    const v = str(inputs, key);
    if (v === undefined || (EC2_DESCRIPTION.test(v) && v.length <= 255)) return [];
    return [{ property: key, reason: `"${v}" must be at most 255 characters of a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* (${source})` }];
  };
}

/** Fargate's CPU units and the memory (MiB) each allows. */
const FARGATE_MEMORY: Record<string, number[]> = {
  "256": [512, 1024, 2048],
  "512": [1024, 2048, 3072, 4096],
  "1024": [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  "2048": Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  "4096": Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};
const fargateSize: Rule = (inputs) => {
  const cpu = String(plain(inputs.cpu) ?? "");
  const memory = Number(plain(inputs.memory));
  const compat = plain(inputs.requiresCompatibilities);
  if (!Array.isArray(compat) || !compat.includes("FARGATE") || !cpu || !memory) return [];
  const allowed = FARGATE_MEMORY[cpu];
  if (!allowed)
    return [{ property: "cpu", reason: `${cpu} CPU units is not a Fargate size (256, 512, 1024, 2048, 4096) (ECS API, RegisterTaskDefinition: cpu)` }];
  if (allowed.includes(memory)) return [];
  return [
    {
      property: "memory",
      reason: `${memory} MiB is not valid with ${cpu} CPU units on Fargate; allowed: ${allowed.join(", ")} (ECS developer guide, task size)`,
    },
  ];
};

const rdsStorage: Rule = (inputs) => {
  const allocated = Number(plain(inputs.allocatedStorage));
  const max = plain(inputs.maxAllocatedStorage);
  if (!allocated || max === undefined || max === 0) return [];
  if (Number(max) > allocated) return [];
  return [
    {
      property: "maxAllocatedStorage",
      reason: `${max} GiB must be above allocatedStorage (${allocated} GiB), or 0 for no storage autoscaling (RDS API, CreateDBInstance: MaxAllocatedStorage; "Max storage size must be greater than storage size")`,
    },
  ];
};

/**
 * S3's rules for general purpose bucket names (Amazon S3 User Guide, "General purpose bucket
 * naming rules"; terraform-provider-aws validBucketName): 3-63 characters of lowercase letters,
 * digits, dots and hyphens, beginning and ending with a letter or digit; no two adjacent dots;
 * not formatted as an IP address; not starting with `xn--`, `sthree-` or `amzn-s3-demo-`, not ending
 * with `-s3alias`, `--ol-s3`, `.mrap` or `--x-s3`. A `bucketPrefix` gets 26 characters appended, so at most 37.
 */
const bucketName: Rule = (inputs) => {
  const out: CheckFailure[] = [];
  const source = "Amazon S3 User Guide, general purpose bucket naming rules";
  for (const [key, max] of [
    ["bucket", 63],
    ["bucketPrefix", 37],
  ] as const) {
    const v = str(inputs, key);
    if (v === undefined) continue;
    const bad = (why: string) =>
      out.push({
        property: key,
        reason: `"${v}" ${why} (${source}); bucket names are global and fixed once created, so choose one that carries the account id and region`,
      });
    if (v.length > max || (key === "bucket" && v.length < 3))
      bad(`is ${v.length} characters; ${key === "bucket" ? "3 to 63" : "at most 37 (S3 appends 26)"} are allowed`);
    if (!/^[a-z0-9][a-z0-9.-]*$/.test(v) || (key === "bucket" && !/[a-z0-9]$/.test(v)))
      bad("may contain only lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit");
    if (v.includes("..")) bad("has two adjacent dots");
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) bad("is formatted as an IP address");
    if (/^(xn--|sthree-|amzn-s3-demo-)/.test(v)) bad("starts with a prefix S3 reserves (xn--, sthree-, amzn-s3-demo-)");
    if (key === "bucket" && /(-s3alias|--ol-s3|\.mrap|--x-s3)$/.test(v)) bad("ends with a suffix S3 reserves (-s3alias, --ol-s3, .mrap, --x-s3)");
  }
  return out;
};

/**
 * ACM's RequestCertificate DomainName: 1 to 253 characters, labels of at most 63 letters, digits
 * and hyphens (not at a label's ends), a wildcard only as the whole leftmost label.
 */
const ACM_DOMAIN = /^(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/;
const acmDomain: Rule = (inputs) => {
  const v = str(inputs, "domainName");
  if (v === undefined || (v.length <= 253 && ACM_DOMAIN.test(v))) return [];
  return [
    {
      property: "domainName",
      reason: `"${v}" is not a domain ACM issues for: at most 253 characters, labels of letters, digits and inner hyphens, "*." only as the first label (ACM API, RequestCertificate: DomainName)`,
    },
  ];
};

/** Route 53 record sets: an alias has no TTL or records, any other needs both (terraform-provider-aws aws_route53_record: ConflictsWith/RequiredWith). */
const ROUTE53_TYPES = ["A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT"];
const route53Record: Rule = (inputs) => {
  const out: CheckFailure[] = [];
  const type = str(inputs, "type");
  if (type !== undefined && !ROUTE53_TYPES.includes(type))
    out.push({ property: "type", reason: `"${type}" is not a Route 53 record type (${ROUTE53_TYPES.join(", ")}) (Route 53 API, ResourceRecordSet: Type)` });
  const aliases = plain(inputs.aliases);
  const isAlias = Array.isArray(aliases) && aliases.length > 0;
  if (isAlias && (plain(inputs.ttl) !== undefined || plain(inputs.records) !== undefined)) {
    out.push({
      property: "aliases",
      reason:
        "an alias record takes no ttl or records: Route 53 answers with the target's addresses (terraform-provider-aws aws_route53_record: alias conflicts with ttl and records)",
    });
  }
  if (!isAlias && inputs.records !== undefined && plain(inputs.ttl) === undefined) {
    out.push({
      property: "ttl",
      reason: "required with records (terraform-provider-aws aws_route53_record: ttl required with records; Route 53 API, ResourceRecordSet: TTL)",
    });
  }
  const name = str(inputs, "name");
  if (name !== undefined && name.replace(/\.$/, "").length > 253)
    out.push({ property: "name", reason: `"${name}" is longer than a DNS name may be (253 characters) (Route 53 API, ResourceRecordSet: Name)` });
  return out;
};

/** IAM CreateOpenIDConnectProvider: the URL must begin with https:// (255 characters at most), client ids 255 characters each, 100 at most. */
const oidcProvider: Rule = (inputs) => {
  const out: CheckFailure[] = [];
  const url = str(inputs, "url");
  if (url !== undefined && (!url.startsWith("https://") || url.length > 255))
    out.push({ property: "url", reason: `"${url}" must begin with https:// and be at most 255 characters (IAM API, CreateOpenIDConnectProvider: Url)` });
  const ids = plain(inputs.clientIdLists);
  if (Array.isArray(ids) && (ids.length > 100 || ids.some((i) => typeof plain(i) === "string" && String(plain(i)).length > 255))) {
    out.push({
      property: "clientIdLists",
      reason: "at most 100 client ids of at most 255 characters each (IAM API, CreateOpenIDConnectProvider: ClientIDList)",
    });
  }
  return out;
};

const LOG_GROUP = /^[\w\-/.#]+$/;
const SECRET_NAME = /^[\w/+=.@-]+$/;

const rules: Record<string, Rule[]> = {
  "aws:ec2/securityGroup:SecurityGroup": [
    ec2Description("description", "EC2 API, CreateSecurityGroup: GroupDescription"),
    name("name", 255, /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/, "a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*", "EC2 API, CreateSecurityGroup: GroupName"),
  ],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [ec2Description("description", "EC2 API, IpRange/UserIdGroupPair: Description")],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [ec2Description("description", "EC2 API, IpRange/UserIdGroupPair: Description")],
  "aws:lb/loadBalancer:LoadBalancer": [
    name(
      "name",
      32,
      /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
      "alphanumerics and hyphens, not at either end",
      "terraform-provider-aws validName, ELBv2 CreateLoadBalancer: Name",
    ),
  ],
  "aws:lb/targetGroup:TargetGroup": [
    name(
      "name",
      32,
      /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
      "alphanumerics and hyphens, not at either end",
      "terraform-provider-aws validTargetGroupName",
    ),
  ],
  "aws:ecs/taskDefinition:TaskDefinition": [
    fargateSize,
    name("family", 255, /^[a-zA-Z0-9_-]+$/, "letters, digits, hyphens and underscores", "ECS API, RegisterTaskDefinition: family"),
  ],
  "aws:rds/instance:Instance": [
    rdsStorage,
    name(
      "identifier",
      63,
      /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
      "lowercase letters, digits and single hyphens, starting with a letter",
      "RDS API, CreateDBInstance: DBInstanceIdentifier",
    ),
  ],
  "aws:elasticache/replicationGroup:ReplicationGroup": [
    name(
      "replicationGroupId",
      40,
      /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
      "lowercase letters, digits and single hyphens, starting with a letter",
      "ElastiCache API, CreateReplicationGroup: ReplicationGroupId",
    ),
  ],
  "aws:cloudwatch/logGroup:LogGroup": [name("name", 512, LOG_GROUP, "a-z, A-Z, 0-9, and _-/.#", "CloudWatch Logs API, CreateLogGroup: logGroupName")],
  "aws:secretsmanager/secret:Secret": [name("name", 512, SECRET_NAME, "letters, digits and /_+=.@-", "Secrets Manager API, CreateSecret: Name")],
  "aws:acm/certificate:Certificate": [acmDomain],
  "aws:route53/record:Record": [route53Record],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": [oidcProvider],
  "aws:iam/role:Role": [name("name", 64, /^[\w+=,.@-]+$/, "letters, digits and +=,.@_-", "IAM API, CreateRole: RoleName")],
  "aws:s3/bucket:Bucket": [bucketName],
  "aws:ecr/repository:Repository": [
    name(
      "name",
      256,
      /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/,
      "lowercase letters, digits and ._-/ separators",
      "ECR API, CreateRepository: repositoryName",
    ),
  ],
};

export function checkConstraints(type: string, inputs: Record<string, any>): CheckFailure[] {
  return (rules[type] ?? []).flatMap((rule) => rule(inputs));
}
