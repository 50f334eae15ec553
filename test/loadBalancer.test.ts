import { offlineBootstrapOutputs } from "../tools/plan/bootstrapOutputs";
import { ofType, one, parseJsonInput, planFor } from "./support/plan";
import { ACCOUNT } from "../tools/plan/mockOutputs";
import type { Plan } from "../tools/plan/types";

const LISTENER = "aws:lb/listener:Listener";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const mockArn = (service: string, logical: string) => `arn:aws:${service}:eu-central-1:${ACCOUNT}:${logical}`;

describe.each(["staging", "prod"])("API load balancer and WAF of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, string>;
  beforeAll(async () => {
    const rendered = await planFor(stack);
    plan = rendered.plan;
    config = rendered.config.config;
  });
  const cfg = (key: string) => config[`chatbot:${key}`];
  const bucketLinked = (type: string) => one(plan, type, "api-logs");

  it("is one internet-facing ALB in the public subnets with the ALB group, dropping invalid headers", () => {
    const albs = ofType(plan, "aws:lb/loadBalancer:LoadBalancer");
    expect(albs).toHaveLength(1);
    const alb = albs[0].inputs;
    expect(alb).toMatchObject({
      name: `chatbot-${stack}-api`,
      loadBalancerType: "application",
      internal: false,
      securityGroups: ["network-alb-sg-id"],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: cfg("albDeletionProtection") === "true",
    });
    const publicSubnets = ofType(plan, "aws:ec2/subnet:Subnet")
      .filter((s) => s.name.includes("public"))
      .map((s) => `${s.name}-id`);
    expect([...(alb.subnets as string[])].sort()).toEqual(publicSubnets.sort());
    // The certificate's host (an alias record to the ALB), not the ALB's AWS name.
    expect(plan.outputs.apiUrl).toBe(`https://${cfg("domainName")}`);
  });

  it("listens only on 443 (HTTPS, TLS 1.3 policy, the bootstrap stack's certificate) and 80 (redirect to HTTPS only)", () => {
    const listeners = ofType(plan, LISTENER);
    expect(listeners.map((l) => l.inputs.port).sort()).toEqual([443, 80]);
    const https = listeners.find((l) => l.inputs.port === 443)!.inputs;
    expect(https).toMatchObject({
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: (offlineBootstrapOutputs(cfg("bootstrapStack")).appStacks as any)[stack].certificateArn,
    });
    expect(https.defaultActions).toEqual([{ type: "forward", targetGroupArn: mockArn("lb", "api-tg") }]);
    const http = listeners.find((l) => l.inputs.port === 80)!.inputs;
    expect(http.protocol).toBe("HTTP");
    expect(http.defaultActions).toEqual([{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }]);
  });

  it("health-checks the API's IP targets on port 8000 at /api/health (200 only) and drains for the configured delay", () => {
    const tg = one(plan, "aws:lb/targetGroup:TargetGroup", "api-tg").inputs;
    expect(tg).toMatchObject({ targetType: "ip", protocol: "HTTP", port: 8000, deregistrationDelay: Number(cfg("albDeregistrationDelaySeconds")) });
    expect(tg.healthCheck).toMatchObject({ path: "/api/health", matcher: "200", port: "traffic-port" });
    expect((tg.healthCheck as any).interval).toBeLessThanOrEqual(15);
  });

  it("admits the API port into the app group from the ALB group only", () => {
    const intoApp = ofType(plan, INGRESS).filter((r) => r.inputs.securityGroupId === "network-app-sg-id");
    const fromAlb = intoApp.filter((r) => r.inputs.referencedSecurityGroupId === "network-alb-sg-id");
    expect(fromAlb.map((r) => r.inputs)).toEqual([expect.objectContaining({ ipProtocol: "tcp", fromPort: 8000, toPort: 8000 })]);
    for (const r of intoApp) expect(r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6).toBeUndefined();
  });

  it("writes access logs to a private, SSE-S3, versioned, TLS-only bucket that expires them after the configured days", () => {
    const bucket = one(plan, "aws:s3/bucket:Bucket", "api-logs");
    const alb = ofType(plan, "aws:lb/loadBalancer:LoadBalancer")[0];
    expect(alb.inputs.accessLogs).toEqual({ bucket: "api-logs-id", prefix: "alb", enabled: true });
    expect(alb.options.dependsOn).toContain(bucketLinked("aws:s3/bucketPolicy:BucketPolicy").urn);
    const protect = cfg("protectStatefulResources") === "true";
    expect(bucket.options).toMatchObject({ protect, retainOnDelete: protect });
    expect(bucketLinked("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(bucketLinked("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    expect(bucketLinked("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(bucketLinked("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    const rules = bucketLinked("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[];
    expect(rules).toEqual([expect.objectContaining({ status: "Enabled", expiration: { days: Number(cfg("albAccessLogRetentionDays")) } })]);
  });

  it("lets only ELB log delivery write, only under its prefix, and denies every request without TLS", () => {
    const statements = parseJsonInput(bucketLinked("aws:s3/bucketPolicy:BucketPolicy"), "policy").Statement as any[];
    const bucketArn = `arn:aws:s3:::chatbot-${stack}-api-logs-${ACCOUNT}`;
    const allows = statements.filter((s) => s.Effect === "Allow");
    expect(allows.map((s) => s.Principal)).toEqual([{ AWS: "arn:aws:iam::054676820928:root" }, { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }]);
    for (const s of allows) {
      expect(s.Action).toBe("s3:PutObject");
      expect(s.Resource).toBe(`${bucketArn}/alb/AWSLogs/${ACCOUNT}/*`);
    }
    expect(statements.filter((s) => s.Effect === "Deny")).toEqual([
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("puts a regional WAF web ACL in front of the ALB with the managed rule groups and the configured rate limits", () => {
    const acl = one(plan, "aws:wafv2/webAcl:WebAcl");
    expect(acl.inputs).toMatchObject({ scope: "REGIONAL", defaultAction: { allow: {} } });
    const association = one(plan, "aws:wafv2/webAclAssociation:WebAclAssociation");
    expect(association.inputs).toEqual({ resourceArn: mockArn("lb", "api-alb"), webAclArn: mockArn("wafv2", "waf-acl") });
    expect(association.options.dependsOn).toEqual(expect.arrayContaining([ofType(plan, "aws:lb/loadBalancer:LoadBalancer")[0].urn, acl.urn]));

    const rules = acl.inputs.rules as any[];
    const managed = rules.filter((r) => r.statement.managedRuleGroupStatement).map((r) => r.statement.managedRuleGroupStatement);
    expect(managed.map((m) => `${m.vendorName}/${m.name}`).sort()).toEqual([
      "AWS/AWSManagedRulesAmazonIpReputationList",
      "AWS/AWSManagedRulesCommonRuleSet",
      "AWS/AWSManagedRulesKnownBadInputsRuleSet",
    ]);
    for (const r of rules.filter((x) => x.statement.managedRuleGroupStatement)) expect(r.overrideAction).toEqual({ none: {} });

    // Per IP here; the per-client rule (a header as key) is covered in test/waf.test.ts.
    const rate = rules.filter((r) => r.statement.rateBasedStatement && r.name !== "rate-per-client");
    for (const r of rate) {
      expect(r.action).toEqual({ block: {} });
      expect(r.statement.rateBasedStatement).toMatchObject({ aggregateKeyType: "IP", evaluationWindowSec: 300 });
    }
    const general = rate.filter((r) => !r.statement.rateBasedStatement.scopeDownStatement);
    expect(general.map((r) => r.statement.rateBasedStatement.limit)).toEqual([Number(cfg("wafRateLimitPer5Min"))]);
    const perPath = rate
      .filter((r) => r.statement.rateBasedStatement.scopeDownStatement)
      .map((r) => {
        const match = r.statement.rateBasedStatement.scopeDownStatement.byteMatchStatement;
        expect(match).toMatchObject({ fieldToMatch: { uriPath: {} }, positionalConstraint: "STARTS_WITH" });
        return `${match.searchString}=${r.statement.rateBasedStatement.limit}`;
      });
    expect(perPath.sort()).toEqual(JSON.parse(cfg("wafPathRateLimits")).sort());
    // Stricter per-path rules are evaluated before the general one.
    for (const r of rate.filter((x) => x.statement.rateBasedStatement.scopeDownStatement)) expect(r.priority).toBeLessThan(general[0].priority);
    expect(new Set(rules.map((r) => r.priority)).size).toBe(rules.length);
  });

  it("has WAF metrics and sampled requests on every rule, and logs to an aws-waf-logs- group with credentials redacted", () => {
    const acl = one(plan, "aws:wafv2/webAcl:WebAcl").inputs;
    for (const v of [acl.visibilityConfig, ...(acl.rules as any[]).map((r) => r.visibilityConfig)]) {
      expect(v).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: expect.any(String) });
    }
    const logGroup = one(plan, "aws:cloudwatch/logGroup:LogGroup", "waf-logs").inputs;
    expect(logGroup.name).toMatch(/^aws-waf-logs-/);
    expect(logGroup.retentionInDays).toBeGreaterThan(0);
    const logging = one(plan, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").inputs;
    expect(logging.logDestinationConfigs).toEqual([mockArn("cloudwatch", "waf-logs")]);
    expect(logging.redactedFields).toEqual([{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }]);
  });
});
