/**
 * Input properties whose change makes the real provider replace the resource instead of updating
 * it in place (terraform-provider-aws `ForceNew`, or the provider's own replace semantics). Only
 * the types this program declares are listed; a type not listed updates in place.
 *
 * Sources: terraform-provider-aws resource schemas (ForceNew: true), pulumi-random (every input
 * is ForceNew), pulumi-docker's Image (any build input rebuilds and replaces), pulumi-command's
 * local.Command (`triggers` replace).
 */
export const EVERY_INPUT = "*";

const table: Record<string, string[]> = {
  // ECS task definitions are immutable revisions: any change registers a new one.
  "aws:ecs/taskDefinition:TaskDefinition": [EVERY_INPUT],
  "aws:ecs/service:Service": ["name", "cluster", "launchType", "schedulingStrategy", "iamRole"],
  "aws:ecs/cluster:Cluster": ["name"],
  "aws:rds/instance:Instance": [
    "identifier",
    "identifierPrefix",
    "dbName",
    "engine",
    "username",
    "storageEncrypted",
    "kmsKeyId",
    "availabilityZone",
    "characterSetName",
    "snapshotIdentifier",
    "timezone",
  ],
  "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
  "aws:rds/parameterGroup:ParameterGroup": ["name", "namePrefix", "family", "description"],
  "aws:elasticache/replicationGroup:ReplicationGroup": ["replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName", "snapshotName", "port"],
  "aws:elasticache/subnetGroup:SubnetGroup": ["name"],
  "aws:elasticache/parameterGroup:ParameterGroup": ["name", "family", "description"],
  "aws:efs/fileSystem:FileSystem": ["creationToken", "encrypted", "kmsKeyId", "performanceMode", "availabilityZoneName"],
  "aws:efs/mountTarget:MountTarget": ["fileSystemId", "subnetId", "ipAddress"],
  "aws:efs/accessPoint:AccessPoint": ["fileSystemId", "posixUser", "rootDirectory"],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:ecr/repository:Repository": ["name", "encryptionConfigurations"],
  "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId", "customKeyStoreId"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
  "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretId", "secretString", "secretBinary"],
  "aws:ec2/vpc:Vpc": ["cidrBlock", "instanceTenancy"],
  "aws:ec2/subnet:Subnet": ["vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
  "aws:ec2/natGateway:NatGateway": ["allocationId", "subnetId", "connectivityType"],
  "aws:ec2/routeTable:RouteTable": ["vpcId"],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": [],
  "aws:ec2/flowLog:FlowLog": [
    "vpcId",
    "subnetId",
    "logDestination",
    "logDestinationType",
    "logGroupName",
    "trafficType",
    "iamRoleArn",
    "maxAggregationInterval",
    "logFormat",
  ],
  "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType"],
  "aws:lb/targetGroup:TargetGroup": ["name", "namePrefix", "port", "protocol", "protocolVersion", "vpcId", "targetType"],
  "aws:iam/role:Role": ["name", "namePrefix", "path"],
  "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix"],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
  "aws:sns/topic:Topic": ["name", "namePrefix", "fifoTopic"],
  "aws:sns/topicSubscription:TopicSubscription": ["topic", "protocol", "endpoint"],
  "aws:scheduler/schedule:Schedule": ["name", "namePrefix"],
  "aws:wafv2/webAcl:WebAcl": ["name", "scope"],
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": ["name", "vpc"],
  "aws:servicediscovery/service:Service": ["name", "namespaceId"],
  "aws:route53/record:Record": ["name", "zoneId"],
  "docker:index/image:Image": ["imageName", "build"],
  "command:local:Command": ["triggers"],
  "sentry:index/sentryProject:SentryProject": ["organization"],
  "sentry:index/sentryKey:SentryKey": ["organization", "project"],
};

/** The properties among `changed` whose change replaces a resource of `type`. */
export function replacingKeys(type: string, changed: string[]): string[] {
  if (type.startsWith("random:")) return changed;
  const keys = table[type] ?? [];
  if (keys.includes(EVERY_INPUT)) return changed.filter((k) => k !== "tags" && k !== "tagsAll");
  return changed.filter((k) => keys.includes(k));
}
