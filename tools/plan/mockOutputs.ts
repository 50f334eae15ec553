import { createHash } from "crypto";

/**
 * What the mocked cloud answers: the outputs a real provider would compute (ids, ARNs,
 * endpoints), derived only from the resource's type and name so a plan is deterministic.
 */
export const ACCOUNT = "123456789012";

export function fakeHex(seed: string, length = 64): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
  return out.slice(0, length);
}

/**
 * A Secrets Manager version id (a UUID) for a SecretVersion: like AWS, a new value is a new id, so
 * the id follows the logical name and the value (hashed; the secret-sharing guard already exports
 * a SHA-256 of each config secret). The stack's name is taken out of the value first: AWS's ids
 * are random, not derived from names, so two stacks whose values differ only by their names (hosts,
 * per-stack placeholders) get the same id, and `plan diff` sees no difference that config lacks.
 */
export function mockSecretVersionId(name: string, value: unknown = "", stack = ""): string {
  const text = JSON.stringify(value) ?? "";
  const neutral = stack ? text.split(stack).join("<stack>") : text;
  const h = fakeHex(`secret-version:${name}:${createHash("sha256").update(neutral).digest("hex")}`, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function service(type: string): string {
  return type.split(":")[1]?.split("/")[0] ?? "unknown";
}

export function mockState(type: string, name: string, inputs: Record<string, any>, region: string, stack = ""): Record<string, any> {
  // Some resources take an `arn` input (an event target's, a topic policy's): it is not theirs to compute.
  const arn = inputs.arn ?? `arn:aws:${service(type)}:${region}:${ACCOUNT}:${name}`;
  const state: Record<string, any> = { ...inputs, arn };
  switch (type) {
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      // New keepers replace the resource with a new value (a rotation); none keeps the name's value.
      state.result = fakeHex(`${type}::${name}${inputs.keepers ? `::${JSON.stringify(inputs.keepers)}` : ""}`, inputs.length ?? 32);
      break;
    case "random:index/randomId:RandomId":
      state.hex = fakeHex(name, (inputs.byteLength ?? 8) * 2);
      break;
    case "aws:kms/key:Key":
      state.keyId = `${name}-id`;
      break;
    case "aws:ec2/vpc:Vpc":
      state.defaultSecurityGroupId = `${name}-default-sg`;
      break;
    case "aws:s3/bucket:Bucket":
      state.bucket = inputs.bucket ?? name;
      state.bucketDomainName = `${state.bucket}.s3.amazonaws.com`;
      state.bucketRegionalDomainName = `${state.bucket}.s3.${region}.amazonaws.com`;
      state.arn = `arn:aws:s3:::${state.bucket}`;
      break;
    case "aws:rds/instance:Instance":
      state.address = `${inputs.identifier ?? name}.abcdefghijkl.${region}.rds.amazonaws.com`;
      state.endpoint = `${state.address}:${inputs.port ?? 5432}`;
      state.port = inputs.port ?? 5432;
      state.masterUserSecrets = [{ secretArn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds!${name}`, kmsKeyId: "", secretStatus: "active" }];
      break;
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      state.primaryEndpointAddress = `master.${name}.abcdef.${region}.cache.amazonaws.com`;
      state.readerEndpointAddress = `replica.${name}.abcdef.${region}.cache.amazonaws.com`;
      state.port = inputs.port ?? 6379;
      // Cluster mode off: ElastiCache names the nodes <group id>-001, -002, ...
      state.memberClusters = Array.from(
        { length: inputs.numCacheClusters ?? 1 },
        (_, i) => `${inputs.replicationGroupId ?? name}-${String(i + 1).padStart(3, "0")}`,
      );
      break;
    case "aws:lb/loadBalancer:LoadBalancer":
      state.dnsName = `${name}-1234567890.${region}.elb.amazonaws.com`;
      state.arnSuffix = `app/${name}/0123456789abcdef`;
      state.zoneId = "Z215JYRZR1TBD5";
      break;
    case "aws:lb/targetGroup:TargetGroup":
      state.arnSuffix = `targetgroup/${name}/0123456789abcdef`;
      break;
    case "aws:ecr/repository:Repository":
      state.arn = `arn:aws:ecr:${region}:${ACCOUNT}:repository/${inputs.name ?? name}`;
      state.repositoryUrl = `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${inputs.name ?? name}`;
      // Read by the image push's registry login: absent, a preview would see it unknown.
      state.registryId = ACCOUNT;
      break;
    case "docker:index/image:Image":
      state.repoDigest = `${String(inputs.imageName).split(":")[0]}@sha256:${fakeHex(`${name}:${JSON.stringify(inputs.build ?? {})}`)}`;
      state.imageName = inputs.imageName;
      break;
    case "aws:efs/fileSystem:FileSystem":
      state.dnsName = `${name}.efs.${region}.amazonaws.com`;
      break;
    case "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace":
      state.hostedZone = `Z${fakeHex(name, 12).toUpperCase()}`;
      break;
    case "aws:secretsmanager/secretVersion:SecretVersion":
      state.versionId = mockSecretVersionId(name, inputs.secretString, stack);
      break;
    case "aws:ecs/taskDefinition:TaskDefinition":
      // ECS's shape: `task-definition/<family>:<revision>` (IAM statements and event rules match on it).
      state.arnWithoutRevision = `arn:aws:ecs:${region}:${ACCOUNT}:task-definition/${inputs.family ?? name}`;
      state.revision = 1;
      state.arn = `${state.arnWithoutRevision}:1`;
      break;
    case "aws:acm/certificate:Certificate": {
      // ACM's shapes: a UUID certificate id, one CNAME per domain (a wildcard validates as its base name).
      const h = fakeHex(`certificate:${name}`, 32);
      state.arn = `arn:aws:acm:${region}:${ACCOUNT}:certificate/${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
      const base = String(inputs.domainName ?? name).replace(/^\*\./, "");
      state.domainValidationOptions = [
        {
          domainName: inputs.domainName,
          resourceRecordName: `_${fakeHex(`cname:${base}`, 32)}.${base}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_${fakeHex(`value:${base}`, 32)}.acm-validations.aws.`,
        },
      ];
      state.status = "ISSUED";
      break;
    }
    case "aws:route53/zone:Zone":
      state.zoneId = `Z${fakeHex(`zone:${inputs.name ?? name}`, 20).toUpperCase()}`;
      state.nameServers = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk", "ns-3.awsdns-03.com", "ns-4.awsdns-04.net"];
      state.arn = `arn:aws:route53:::hostedzone/${state.zoneId}`;
      break;
    case "aws:route53/record:Record":
      state.fqdn = String(inputs.name ?? name).replace(/\.$/, "");
      break;
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      state.arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(inputs.url ?? name).replace(/^https:\/\//, "")}`;
      break;
    case "sentry:index/sentryKey:SentryKey":
      state.dsnPublic = `https://${fakeHex(name, 32)}@o0.ingest.sentry.io/${parseInt(fakeHex(name, 6), 16)}`;
      state.dsnSecret = `https://${fakeHex(name, 32)}:${fakeHex(name + "s", 32)}@o0.ingest.sentry.io/${parseInt(fakeHex(name, 6), 16)}`;
      state.secret = fakeHex(name + "s", 32);
      state.public = fakeHex(name, 32);
      state.projectId = parseInt(fakeHex(name, 6), 16);
      break;
    case "sentry:index/sentryProject:SentryProject":
      state.internalId = String(parseInt(fakeHex(name, 6), 16));
      state.projectId = state.internalId;
      break;
  }
  return state;
}

/** Answers to provider functions (data sources) the program calls. */
export function mockCall(token: string, inputs: Record<string, any>, region: string): Record<string, any> {
  switch (token) {
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return { names: ["a", "b", "c", "d"].map((s) => `${region}${s}`), zoneIds: ["1", "2", "3", "4"].map((n) => `euc1-az${n}`) };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/plan`, userId: "PLAN" };
    case "aws:index/getRegion:getRegion":
      return { name: region, region, id: region };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com" };
    case "aws:elb/getServiceAccount:getServiceAccount":
      return { arn: "arn:aws:iam::054676820928:root", id: "054676820928" };
    case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
      return { userName: "AWS", password: fakeHex("ecr-token"), proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${region}.amazonaws.com` };
    case "sentry:index/getSentryTeam:getSentryTeam":
      return {
        ...inputs,
        id: String(inputs.slug),
        internalId: String(parseInt(fakeHex(`team:${inputs.slug}`, 6), 16)),
        name: inputs.slug,
        hasAccess: true,
        isMember: true,
        isPending: false,
      };
    case "aws:iam/getPolicyDocument:getPolicyDocument":
      return { json: JSON.stringify({ Version: "2012-10-17", Statement: inputs.statements ?? [] }) };
    case "sentry:index/getSentryKey:getSentryKey":
      return {
        dsnPublic: `https://${fakeHex(String(inputs.project), 32)}@o0.ingest.sentry.io/${parseInt(fakeHex(String(inputs.project), 6), 16)}`,
        projectId: parseInt(fakeHex(String(inputs.project), 6), 16),
      };
    case "aws:route53/getZone:getZone":
      return {
        ...inputs,
        zoneId: `Z${fakeHex(`zone:${inputs.name}`, 20).toUpperCase()}`,
        nameServers: ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"],
        id: `Z${fakeHex(`zone:${inputs.name}`, 20).toUpperCase()}`,
      };
    default:
      return {};
  }
}
