/** The API's load balancer alone: HTTPS with a modern policy, 80 only redirecting, a health-checked target group, private TLS-only access logs. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { idOf, INGRESS_RULE, ofType, one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const ALB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";
const RECORD = "aws:route53/record:Record";
const BUCKET = "aws:s3/bucket:Bucket";
const CERT = "arn:aws:acm:eu-central-1:123456789012:certificate/11111111-2222-3333-4444-555555555555";
const WILDCARD = "arn:aws:acm:eu-central-1:123456789012:certificate/66666666-7777-8888-9999-000000000000";
const LOGS = "chatbot-test-api-logs-123456789012";

const render = (over: Record<string, unknown>) =>
  renderComponent(() => {
    const { LoadBalancer } = load<typeof import("../../../components/containers/loadBalancer")>("components/containers/loadBalancer");
    new LoadBalancer("api", {
      namePrefix: "chatbot-test",
      vpcId: "vpc-1",
      publicSubnetIds: ["subnet-pub-a", "subnet-pub-b"],
      albSecurityGroupId: "sg-alb",
      targetSecurityGroupId: "sg-app",
      certificateArn: CERT,
      domainName: "api.chatbot.example",
      hostedZoneId: "Z123",
      targetPort: 8000,
      healthCheckPath: "/api/health",
      deletionProtection: true,
      deregistrationDelaySeconds: 30,
      accessLogRetentionDays: 90,
      protect: true,
      ...over,
    });
  });

describe("LoadBalancer", () => {
  let plan: Plan;
  let bare: Plan;
  beforeAll(async () => {
    plan = await render({ wildcardCertificateArn: WILDCARD });
    bare = await render({ protect: false, deletionProtection: false });
  });

  it("owns the ALB, its target group, two listeners, the alias records, the target ingress rule and the log bucket's parts", () => {
    expect(typeCounts(plan)).toEqual({
      "chatbot:containers:LoadBalancer": 1,
      [ALB]: 1,
      "aws:lb/targetGroup:TargetGroup": 1,
      [LISTENER]: 2,
      "aws:lb/listenerCertificate:ListenerCertificate": 1,
      [RECORD]: 2,
      [INGRESS_RULE]: 1,
      [BUCKET]: 1,
      "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    });
  });

  it("is internet-facing in the public subnets, drops malformed headers and logs every request to its bucket", () => {
    const alb = one(plan, ALB);
    expect(alb.inputs).toMatchObject({
      name: "chatbot-test-api",
      loadBalancerType: "application",
      internal: false,
      subnets: ["subnet-pub-a", "subnet-pub-b"],
      securityGroups: ["sg-alb"],
      dropInvalidHeaderFields: true,
      enableDeletionProtection: true,
      // The bucket's id (its name, in AWS).
      accessLogs: { bucket: idOf(one(plan, BUCKET)), prefix: "alb", enabled: true },
    });
    // AWS checks the bucket policy when logging is turned on: the ALB waits for it.
    expect(alb.options.dependsOn).toContain(one(plan, "aws:s3/bucketPolicy:BucketPolicy").urn);
    expect(one(bare, ALB).inputs.enableDeletionProtection).toBe(false);
  });

  it("answers HTTPS on 443 with the TLS 1.3/1.2 policy and its certificate, forwarding to the target group", () => {
    expect(one(plan, LISTENER, "api-https").inputs).toEqual({
      loadBalancerArn: "arn:aws:lb:eu-central-1:123456789012:api-alb",
      port: 443,
      protocol: "HTTPS",
      sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      certificateArn: CERT,
      defaultActions: [{ type: "forward", targetGroupArn: "arn:aws:lb:eu-central-1:123456789012:api-tg" }],
    });
  });

  it("only redirects on 80, permanently, to HTTPS: nothing is served in the clear", () => {
    expect(one(plan, LISTENER, "api-http").inputs.defaultActions).toEqual([
      { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
    ]);
  });

  it("health-checks IP targets on the API path, only a 200 healthy, and opens the target port to the ALB group only", () => {
    expect(one(plan, "aws:lb/targetGroup:TargetGroup").inputs).toMatchObject({
      name: "chatbot-test-api",
      targetType: "ip",
      port: 8000,
      deregistrationDelay: 30,
      healthCheck: { path: "/api/health", matcher: "200", port: "traffic-port" },
    });
    expect(one(plan, INGRESS_RULE).inputs).toMatchObject({
      securityGroupId: "sg-app",
      referencedSecurityGroupId: "sg-alb",
      ipProtocol: "tcp",
      fromPort: 8000,
      toPort: 8000,
    });
    expect(one(plan, INGRESS_RULE).inputs.cidrIpv4).toBeUndefined();
  });

  it("keeps access logs private, SSE-S3, TLS-only, expiring, writable by ELB log delivery only under its prefix", () => {
    expect(one(plan, BUCKET).inputs.bucket).toBe(LOGS);
    expect(one(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    expect(one(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect((one(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules as any[])[0]).toMatchObject({
      id: "expire-access-logs",
      expiration: { days: 90 },
    });
    const statements = parseJsonInput(one(plan, "aws:s3/bucketPolicy:BucketPolicy"), "policy").Statement;
    expect(statements[0]).toMatchObject({ Sid: "DenyInsecureTransport", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    const objects = `arn:aws:s3:::${LOGS}/alb/AWSLogs/123456789012/*`;
    expect(statements.slice(1)).toEqual([
      { Sid: "ElbLogDeliveryAccount", Effect: "Allow", Principal: { AWS: "arn:aws:iam::054676820928:root" }, Action: "s3:PutObject", Resource: objects },
      {
        Sid: "ElbLogDeliveryService",
        Effect: "Allow",
        Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: objects,
      },
    ]);
  });

  it("points the API's name at the ALB with an alias record", () => {
    expect(one(plan, RECORD, "api-alias").inputs).toEqual({
      zoneId: "Z123",
      name: "api.chatbot.example",
      type: "A",
      aliases: [{ name: "api-alb-1234567890.eu-central-1.elb.amazonaws.com", zoneId: "Z215JYRZR1TBD5", evaluateTargetHealth: false }],
    });
  });

  it("adds the wildcard certificate and name for previews only when given one", () => {
    expect(one(plan, "aws:lb/listenerCertificate:ListenerCertificate").inputs).toEqual({
      listenerArn: "arn:aws:lb:eu-central-1:123456789012:api-https",
      certificateArn: WILDCARD,
    });
    expect(one(plan, RECORD, "api-wildcard-alias").inputs).toMatchObject({ name: "*.api.chatbot.example", type: "A" });
    expect(ofType(bare, "aws:lb/listenerCertificate:ListenerCertificate")).toEqual([]);
    expect(ofType(bare, RECORD).map((r) => r.name)).toEqual(["api-alias"]);
  });

  it("protects and retains the log bucket when asked; unprotected, it is emptied on destroy", () => {
    expect(one(plan, BUCKET).options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(one(plan, BUCKET).inputs.forceDestroy).toBe(false);
    expect(one(bare, BUCKET).options).toMatchObject({ protect: false, retainOnDelete: false });
    expect(one(bare, BUCKET).inputs.forceDestroy).toBe(true);
  });
});
