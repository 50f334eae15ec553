import { effectiveTags, ofType, one, planFor } from "./support/plan";
import { subnetCidr } from "../components/network/network";
import type { Plan } from "../tools/plan/types";

const SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";

describe.each([
  ["staging", 2, 1],
  ["prod", 3, 3],
])("network of %s", (stack, azs, nats) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = (await planFor(stack)).plan;
  });

  it(`spreads public and private subnets over ${azs} AZs without overlap`, () => {
    const subnets = ofType(plan, "aws:ec2/subnet:Subnet");
    expect(subnets.filter((s) => s.name.includes("public"))).toHaveLength(azs);
    expect(subnets.filter((s) => s.name.includes("private"))).toHaveLength(azs);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).toBe(azs);
    expect(new Set(subnets.map((s) => s.inputs.cidrBlock)).size).toBe(subnets.length);
    for (const s of subnets) expect(s.inputs.mapPublicIpOnLaunch ?? false).toBe(false);
  });

  it(`has ${nats} NAT gateway(s) as its config says, and private routes go through them`, () => {
    expect(ofType(plan, "aws:ec2/natGateway:NatGateway")).toHaveLength(nats);
    const privateRoutes = ofType(plan, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"));
    expect(privateRoutes).toHaveLength(azs);
    for (const rt of privateRoutes) expect((rt.inputs.routes as any[])[0].natGatewayId).toMatch(/nat/);
  });

  it("admits internet traffic only to the ALB, on 443 and 80", () => {
    const open = ofType(plan, SG_INGRESS).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
    expect(open.length).toBeGreaterThan(0);
    const albSg = one(plan, "aws:ec2/securityGroup:SecurityGroup", "network-alb-sg");
    for (const rule of open) {
      expect(rule.options.dependsOn).toContain(albSg.urn);
      expect([80, 443]).toContain(rule.inputs.fromPort);
      expect(rule.inputs.toPort).toBe(rule.inputs.fromPort);
    }
    for (const sg of ofType(plan, "aws:ec2/securityGroup:SecurityGroup")) expect(sg.inputs.ingress ?? []).toEqual([]);
  });

  it("logs all VPC traffic to a log group with retention", () => {
    const flow = one(plan, "aws:ec2/flowLog:FlowLog");
    expect(flow.inputs.trafficType).toBe("ALL");
    expect(one(plan, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs").inputs.retentionInDays).toBeGreaterThan(0);
  });

  it("tags every network resource with project, stack, part and managed-by", () => {
    for (const r of plan.resources.filter((x) => x.parent?.endsWith("::network") && x.type.startsWith("aws:") && "tags" in x.inputs)) {
      expect(effectiveTags(plan, r)).toMatchObject({ project: "chatbot", stack, part: "network", "managed-by": "pulumi" });
    }
  });
});

describe("subnetCidr", () => {
  it("carves consecutive subnets four bits longer than the VPC", () => {
    expect(subnetCidr("10.20.0.0/16", 0)).toBe("10.20.0.0/20");
    expect(subnetCidr("10.20.0.0/16", 3)).toBe("10.20.48.0/20");
    expect(subnetCidr("172.16.0.0/20", 15)).toBe("172.16.15.0/24");
  });
});
