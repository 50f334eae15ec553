/**
 * Which plan resources carry no charge of their own: component resources, types that are not
 * AWS, and AWS types whose cost sits on another line.
 */

/** Types that cost nothing by themselves (the cost sits on another line) or are not AWS. */
export const FREE_PREFIXES = ["pulumi:", "random:", "sentry:", "command:", "docker:", "docker-build:"];

/** AWS types with no charge of their own (or whose charge is on another line, e.g. listeners on the ALB). */
export const PRICED_ELSEWHERE_OR_FREE =
  /^aws:(ec2\/(vpc|subnet|routeTable|routeTableAssociation|route|internetGateway|securityGroup|securityGroupRule|vpcSecurityGroupIngressRule|vpcSecurityGroupEgressRule|defaultSecurityGroup|flowLog|networkAcl)|iam\/|vpc\/(securityGroupIngressRule|securityGroupEgressRule)|lb\/(targetGroup|listener|listenerRule|targetGroupAttachment)|acm\/|s3\/bucket[A-Z]|s3\/bucketPolicy|rds\/(subnetGroup|parameterGroup|optionGroup)|elasticache\/(subnetGroup|parameterGroup)|efs\/(mountTarget|accessPoint|backupPolicy|fileSystemPolicy)|ecs\/(cluster|clusterCapacityProviders)|ecr\/(lifecyclePolicy|repositoryPolicy)|kms\/alias|secretsmanager\/secretVersion|cloudwatch\/(eventRule|eventTarget|dashboard)|sns\/topicSubscription|sns\/topicPolicy|servicediscovery\/|wafv2\/webAclAssociation|scheduler\/scheduleGroup|appautoscaling\/|route53\/)/;

/**
 * Component resources do no cloud work: the stack and our own `chatbot:<area>:<Name>` types.
 * (Type tokens alone cannot tell a third-party component from a custom resource without a
 * module path, e.g. `command:local:Command` is custom; we use no third-party components.)
 */
export function isComponent(type: string, project = "chatbot"): boolean {
  return type === "pulumi:pulumi:Stack" || type.startsWith(`${project}:`);
}
