/** The network alone: subnets, NAT, the only internet ingress, flow logs (per-stack counts: test/network.test.ts). */
import { load, renderComponent, typeCounts } from "../../support/component";
import { INGRESS_RULE, ofType, one, SECURITY_GROUP } from "../../support/plan";
import { subnetCidr } from "../../../components/network/network";
import type { Plan } from "../../../tools/plan/types";

const render = (azCount: number, natGateways: "perAz" | "single") =>
  renderComponent(() => {
    const { Network } = load<typeof import("../../../components/network/network")>("components/network/network");
    new Network("network", { namePrefix: "chatbot-test", cidr: "10.40.0.0/16", azCount, natGateways, flowLogRetentionDays: 30 });
  });

describe.each([
  [2, "single", 1],
  [3, "perAz", 3],
] as const)("Network over %i AZs with NAT %s", (azs, mode, nats) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render(azs, mode);
  });

  it(`spreads public and private subnets over ${azs} AZs without overlap, none with public IPs`, () => {
    const subnets = ofType(plan, "aws:ec2/subnet:Subnet");
    expect(subnets.filter((s) => s.name.includes("public"))).toHaveLength(azs);
    expect(subnets.filter((s) => s.name.includes("private"))).toHaveLength(azs);
    expect(new Set(subnets.map((s) => s.inputs.availabilityZone)).size).toBe(azs);
    expect(new Set(subnets.map((s) => s.inputs.cidrBlock)).size).toBe(subnets.length);
    for (const s of subnets) expect(s.inputs.mapPublicIpOnLaunch ?? false).toBe(false);
  });

  it(`routes every private subnet through ${nats} NAT gateway(s)`, () => {
    expect(typeCounts(plan)["aws:ec2/natGateway:NatGateway"]).toBe(nats);
    const privateRoutes = ofType(plan, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"));
    expect(privateRoutes).toHaveLength(azs);
    for (const rt of privateRoutes) expect((rt.inputs.routes as any[])[0].natGatewayId).toMatch(/nat/);
  });

  it("admits internet traffic only to the ALB group, on 443 and 80, and no group has inline rules", () => {
    const open = ofType(plan, INGRESS_RULE).filter((r) => r.inputs.cidrIpv4 === "0.0.0.0/0" || r.inputs.cidrIpv6 === "::/0");
    expect(open.length).toBeGreaterThan(0);
    const albSg = one(plan, SECURITY_GROUP, "network-alb-sg");
    for (const rule of open) {
      expect(rule.options.dependsOn).toContain(albSg.urn);
      expect([80, 443]).toContain(rule.inputs.fromPort);
      expect(rule.inputs.toPort).toBe(rule.inputs.fromPort);
    }
    for (const sg of ofType(plan, SECURITY_GROUP)) expect(sg.inputs.ingress ?? []).toEqual([]);
    expect(
      ofType(plan, SECURITY_GROUP)
        .map((g) => g.name)
        .sort(),
    ).toEqual(["network-alb-sg", "network-app-sg", "network-jobs-sg"]);
  });

  it("logs all VPC traffic to a log group with the given retention", () => {
    expect(one(plan, "aws:ec2/flowLog:FlowLog").inputs.trafficType).toBe("ALL");
    expect(one(plan, "aws:cloudwatch/logGroup:LogGroup", "network-flow-logs").inputs.retentionInDays).toBe(30);
  });
});

describe("subnetCidr", () => {
  it("carves consecutive subnets four bits longer than the VPC", () => {
    expect(subnetCidr("10.20.0.0/16", 0)).toBe("10.20.0.0/20");
    expect(subnetCidr("10.20.0.0/16", 3)).toBe("10.20.48.0/20");
    expect(subnetCidr("172.16.0.0/20", 15)).toBe("172.16.15.0/24");
  });
});
