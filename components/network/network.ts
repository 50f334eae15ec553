import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
  /** Start of every physical name: `<project>-<stack>`. */
  namePrefix: string;
  /** VPC CIDR, /16 to /20; each subnet is a quarter-of-a-quarter of it (prefix + 4). */
  cidr: string;
  /** Availability zones used, >= 2 so a zone failure leaves the app running. */
  azCount: number;
  /** One NAT gateway per AZ (zone-independent egress) or one shared (cheaper). */
  natGateways: "perAz" | "single";
  /** Days VPC flow logs stay in CloudWatch. */
  flowLogRetentionDays: number;
}

/** Carves the i-th subnet of `prefix + 4` bits out of an IPv4 CIDR. */
export function subnetCidr(vpcCidr: string, index: number): string {
  const [addr, bits] = vpcCidr.split("/");
  const prefix = Number(bits) + 4;
  const base = addr.split(".").reduce((a, o) => a * 256 + Number(o), 0);
  const start = base + index * 2 ** (32 - prefix);
  const octets = [24, 16, 8, 0].map((s) => Math.floor(start / 2 ** s) % 256);
  return `${octets.join(".")}/${prefix}`;
}

/**
 * VPC with public subnets (ALB, NAT) and private subnets (everything else) across AZs,
 * flow logs, and the security groups the other parts attach to: `alb` (internet-facing),
 * `app` (long-running containers) and `jobs` (scheduled and one-off tasks: backup, bootstrap).
 * Each store brings its own group (components/data/securityGroup.ts), so opening one store's
 * port never opens another's. Rules between groups are added by the parts that
 * need them; the only internet ingress is the ALB's 443 and its 80-to-443 redirect.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: string;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly albSecurityGroupId: pulumi.Output<string>;
  readonly appSecurityGroupId: pulumi.Output<string>;
  readonly jobsSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:network:Network", name, {}, opts);
    const child = { parent: this };
    const p = args.namePrefix;
    const azs = aws.getAvailabilityZonesOutput({ state: "available" }, child).names;

    const vpc = new aws.ec2.Vpc(`${name}-vpc`, { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${p}-vpc` } }, child);
    // The default security group allows all traffic between its members; empty it so nothing relies on it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: `${p}-default-closed` } }, child);

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${p}-igw` } }, child);
    const publicRt = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: { Name: `${p}-public` } },
      child,
    );

    const zones = Array.from({ length: args.azCount }, (_, i) => i);
    const publicSubnets = zones.map((i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: subnetCidr(args.cidr, i),
          availabilityZone: azs[i],
          mapPublicIpOnLaunch: false,
          tags: { Name: `${p}-public-${i}`, tier: "public" },
        },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRt.id }, child);
      return subnet;
    });

    const natCount = args.natGateways === "perAz" ? args.azCount : 1;
    const nats = zones.slice(0, natCount).map((i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${p}-nat-${i}` } }, child);
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: { Name: `${p}-nat-${i}` } },
        { ...child, dependsOn: [igw] },
      );
    });

    const privateSubnets = zones.map((i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        { vpcId: vpc.id, cidrBlock: subnetCidr(args.cidr, args.azCount + i), availabilityZone: azs[i], tags: { Name: `${p}-private-${i}`, tier: "private" } },
        child,
      );
      const rt = new aws.ec2.RouteTable(
        `${name}-private-rt-${i}`,
        { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id }], tags: { Name: `${p}-private-${i}` } },
        child,
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: rt.id }, child);
      return subnet;
    });

    this.flowLogs(name, p, vpc, args.flowLogRetentionDays);

    const sg = (part: string, description: string) =>
      new aws.ec2.SecurityGroup(`${name}-${part}-sg`, { name: `${p}-${part}`, description, vpcId: vpc.id, tags: { Name: `${p}-${part}` } }, child);
    const alb = sg("alb", "Internet-facing load balancer: HTTPS in, HTTP only to redirect");
    const app = sg("app", "Application containers: reachable only from the load balancer");
    const jobs = sg("jobs", "Backup and bootstrap tasks: no ingress");

    for (const [port, why] of [
      [443, "HTTPS from the internet"],
      [80, "HTTP from the internet, redirected to HTTPS"],
    ] as const) {
      for (const [family, cidr] of [
        ["ipv4", { cidrIpv4: "0.0.0.0/0" }],
        ["ipv6", { cidrIpv6: "::/0" }],
      ] as const) {
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-alb-in-${port}-${family}`,
          { securityGroupId: alb.id, ipProtocol: "tcp", fromPort: port, toPort: port, description: why, ...cidr },
          child,
        );
      }
    }
    // Every group may reach out (AWS APIs, package mirrors, LLM/Telegram/Discord APIs) through NAT.
    for (const [part, group] of [
      ["alb", alb],
      ["app", app],
      ["jobs", jobs],
    ] as const) {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-${part}-out`,
        { securityGroupId: group.id, ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "All egress" },
        child,
      );
    }

    this.vpcId = vpc.id;
    this.vpcCidr = args.cidr;
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.albSecurityGroupId = alb.id;
    this.appSecurityGroupId = app.id;
    this.jobsSecurityGroupId = jobs.id;
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      albSecurityGroupId: this.albSecurityGroupId,
      appSecurityGroupId: this.appSecurityGroupId,
      jobsSecurityGroupId: this.jobsSecurityGroupId,
    });
  }

  private flowLogs(name: string, p: string, vpc: aws.ec2.Vpc, retentionDays: number): void {
    const child = { parent: this };
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, { name: `/${p}/vpc-flow-logs`, retentionInDays: retentionDays }, child);
    const role = new aws.iam.Role(
      `${name}-flow-logs`,
      {
        name: `${p}-vpc-flow-logs`,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      {
        role: role.id,
        policy: logGroup.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] }],
          }),
        ),
      },
      child,
    );
    new aws.ec2.FlowLog(
      `${name}-flow-logs`,
      {
        vpcId: vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: logGroup.arn,
        iamRoleArn: role.arn,
        maxAggregationInterval: 60,
        tags: { Name: `${p}-vpc-flow-logs` },
      },
      child,
    );
  }
}
