import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { apiTargetGroup } from "./apiTargetGroup";
import { hardenedBucket } from "../shared/hardenedBucket";

/** TLS 1.3 with a TLS 1.2 floor and forward-secret AEAD ciphers only. */
export const SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/** Where access logs go inside the bucket (`<prefix>/AWSLogs/<account>/...`). */
const LOG_PREFIX = "alb";

export interface LoadBalancerArgs {
  /** `<project>-<stack>`; the ALB and target group are `<namePrefix>-<name>`, the bucket `<namePrefix>-<name>-logs-<account>`. */
  namePrefix: string;
  vpcId: pulumi.Input<string>;
  /** Public subnets (one per AZ) the load balancer listens in. */
  publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** The network's ALB security group (443 and 80 from the internet). */
  albSecurityGroupId: pulumi.Input<string>;
  /** Security group of the targets: it gets the one ingress rule, target port from the ALB group. */
  targetSecurityGroupId: pulumi.Input<string>;
  /** ACM certificate of the HTTPS listener: issued for `domainName` (from the bootstrap stack). */
  certificateArn: pulumi.Input<string>;
  /** A second certificate on the same listener (SNI): `*.<domainName>`, for previews' host rules. */
  wildcardCertificateArn?: pulumi.Input<string>;
  /** The API's host name: an alias record to the load balancer. */
  domainName: string;
  /** Route 53 zone `domainName` lives in. */
  hostedZoneId: pulumi.Input<string>;
  /** Port the containers listen on. */
  targetPort: number;
  /** Path the target group's health check requests; only a 200 counts as healthy. */
  healthCheckPath: string;
  /** The ALB refuses deletion while on. */
  deletionProtection: boolean;
  /** Seconds a deregistering target keeps its in-flight requests. */
  deregistrationDelaySeconds: number;
  /** Days access logs stay in the bucket. */
  accessLogRetentionDays: number;
  /** Access-log bucket: `protect` + `retainOnDelete`; off (preview stacks), it is emptied on destroy. */
  protect: boolean;
}

/**
 * The internet-facing entry to the API: an ALB in the public subnets that answers HTTPS on 443
 * (modern TLS policy) and only redirects on 80, forwards to an IP target group health-checked on
 * the API's health path, and writes access logs to a private, TLS-only bucket.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  /** `app/<name>/<id>`: the `LoadBalancer` dimension of ALB CloudWatch metrics. */
  readonly albArnSuffix: pulumi.Output<string>;
  readonly dnsName: pulumi.Output<string>;
  readonly zoneId: pulumi.Output<string>;
  /** Target group ARN, resolved only after the HTTPS listener forwards to it (ECS requires that). */
  readonly targetGroupArn: pulumi.Output<string>;
  /** `targetgroup/<name>/<id>`: the `TargetGroup` dimension of ALB CloudWatch metrics. */
  readonly targetGroupArnSuffix: pulumi.Output<string>;
  readonly httpsListenerArn: pulumi.Output<string>;
  /** The alias record's name, resolved once the record exists. */
  readonly domainName: pulumi.Output<string>;
  readonly accessLogBucket: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:containers:LoadBalancer", name, {}, opts);
    const child = { parent: this };
    const full = `${args.namePrefix}-${name}`;
    const logs = this.accessLogs(name, full, args);

    const alb = new aws.lb.LoadBalancer(
      `${name}-alb`,
      {
        name: full,
        loadBalancerType: "application",
        internal: false,
        subnets: args.publicSubnetIds,
        securityGroups: [args.albSecurityGroupId],
        // Malformed headers are dropped before they reach the app (request smuggling, header injection).
        dropInvalidHeaderFields: true,
        enableDeletionProtection: args.deletionProtection,
        accessLogs: { bucket: logs.bucket, prefix: LOG_PREFIX, enabled: true },
        tags: { Name: full },
      },
      { ...child, dependsOn: [logs.policy] },
    ); // AWS checks the bucket policy when logging is enabled

    const targetGroup = apiTargetGroup(
      `${name}-tg`,
      {
        name: full,
        vpcId: args.vpcId,
        targetPort: args.targetPort,
        healthCheckPath: args.healthCheckPath,
        deregistrationDelaySeconds: args.deregistrationDelaySeconds,
      },
      child,
    );

    const https = new aws.lb.Listener(
      `${name}-https`,
      {
        loadBalancerArn: alb.arn,
        port: 443,
        protocol: "HTTPS",
        sslPolicy: SSL_POLICY,
        certificateArn: args.certificateArn,
        defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
      },
      child,
    );
    if (args.wildcardCertificateArn) {
      new aws.lb.ListenerCertificate(`${name}-https-wildcard`, { listenerArn: https.arn, certificateArn: args.wildcardCertificateArn }, child);
      // pr-<n>.<domainName>: previews' host rules on this listener (infra/parts/containers.ts) answer under it.
      new aws.route53.Record(
        `${name}-wildcard-alias`,
        {
          zoneId: args.hostedZoneId,
          name: `*.${args.domainName}`,
          type: "A",
          aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: false }],
        },
        child,
      );
    }
    // An alias (no TTL, no charge) follows the ALB's addresses as they change; the health of the
    // target is not evaluated: there is one load balancer, nothing to fail over to.
    const record = new aws.route53.Record(
      `${name}-alias`,
      { zoneId: args.hostedZoneId, name: args.domainName, type: "A", aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: false }] },
      child,
    );
    new aws.lb.Listener(
      `${name}-http`,
      {
        loadBalancerArn: alb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
      },
      child,
    );

    new aws.vpc.SecurityGroupIngressRule(
      `${name}-to-targets`,
      {
        securityGroupId: args.targetSecurityGroupId,
        referencedSecurityGroupId: args.albSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: args.targetPort,
        toPort: args.targetPort,
        description: `${full}: load balancer to the container port`,
      },
      child,
    );

    this.arn = alb.arn;
    this.albArnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.targetGroupArn = pulumi.all([targetGroup.arn, https.arn]).apply(([arn]) => arn);
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.httpsListenerArn = https.arn;
    this.domainName = record.fqdn;
    this.accessLogBucket = logs.bucket;
    this.registerOutputs({
      arn: this.arn,
      albArnSuffix: this.albArnSuffix,
      dnsName: this.dnsName,
      targetGroupArnSuffix: this.targetGroupArnSuffix,
      accessLogBucket: this.accessLogBucket,
    });
  }

  /** SSE-S3 (the only encryption ALB log delivery supports), private, TLS-only, expiring. */
  private accessLogs(name: string, full: string, args: LoadBalancerArgs): { bucket: pulumi.Output<string>; policy: aws.s3.BucketPolicy } {
    const child = { parent: this };
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    const elbAccount = aws.elb.getServiceAccountOutput({}, child).arn;

    // Every part keeps the name `${name}-logs` it had before the shared helper: URNs unchanged.
    const { bucket, policy } = hardenedBucket(
      {
        bucket: pulumi.interpolate`${full}-logs-${account}`,
        childName: () => `${name}-logs`,
        encryption: "AES256",
        expireDays: args.accessLogRetentionDays,
        // Versioning keeps a deleted log as a noncurrent version; it goes a day after expiry.
        noncurrentDays: 1,
        lifecycleId: "expire-access-logs",
        forceDestroy: !args.protect,
        tags: { Name: `${full}-logs` },
        protect: args.protect,
        policyStatements: (arn) =>
          pulumi.all([account, elbAccount]).apply(([acct, elb]) => {
            const logObjects = `${arn}/${LOG_PREFIX}/AWSLogs/${acct}/*`;
            return [
              // The regional ELB account delivers logs in regions older than August 2022; the
              // log-delivery service principal in newer ones. Both may only write under the prefix.
              { Sid: "ElbLogDeliveryAccount", Effect: "Allow", Principal: { AWS: elb }, Action: "s3:PutObject", Resource: logObjects },
              {
                Sid: "ElbLogDeliveryService",
                Effect: "Allow",
                Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: logObjects,
              },
            ];
          }),
      },
      child,
    );
    return { bucket: bucket.id, policy };
  }
}
