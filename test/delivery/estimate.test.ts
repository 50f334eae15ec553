import type { Plan, PlanResource } from "../../tools/plan/types";
import { estimateDeployTime, estimateMonthlyCost, formatEstimate, PRICE_TABLES } from "../../tools/estimate";
import createTimes from "../../tools/estimate/create-times.json";

const U = (type: string, name: string) => `urn:pulumi:test::chatbot::${type}::${name}`;
function res(type: string, name: string, o: { inputs?: Record<string, unknown>; dependsOn?: string[]; parent?: string | null } = {}): PlanResource {
  return {
    urn: U(type, name),
    type,
    name,
    parent: o.parent ?? null,
    inputs: o.inputs ?? {},
    options: { protect: false, retainOnDelete: false, dependsOn: o.dependsOn ?? [] },
    provider: null,
  };
}
const plan = (resources: PlanResource[]): Plan => ({ project: "chatbot", stack: "test", resources, outputs: {} });

const NAT = "aws:ec2/natGateway:NatGateway";
const RDS = "aws:rds/instance:Instance";
const ALB = "aws:lb/loadBalancer:LoadBalancer";
const SVC = "aws:ecs/service:Service";
const SG = "aws:ec2/securityGroup:SecurityGroup";

describe("price tables", () => {
  it.each(Object.keys(PRICE_TABLES))("%s: every row has a price, unit, source URL and read note; every assumption says why", (region) => {
    const t = PRICE_TABLES[region];
    for (const [k, row] of Object.entries(t.prices)) {
      expect({
        k,
        ok: typeof row.usd === "number" && row.usd >= 0 && /^https:\/\/aws\.amazon\.com\//.test(row.source) && row.read.length > 0 && row.unit.length > 0,
      }).toEqual({ k, ok: true });
    }
    for (const [k, a] of Object.entries(t.assumptions)) expect({ k, ok: a.value > 0 && a.why.length > 0 }).toEqual({ k, ok: true });
    for (const c of ["db.t4g.micro", "db.t4g.small", "db.t4g.medium", "db.m7g.large", "db.r7g.large"]) expect(t.prices[`rds.postgres.${c}.hour`]).toBeDefined();
    for (const c of ["cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", "cache.m7g.large"]) expect(t.prices[`elasticache.${c}.hour`]).toBeDefined();
  });
});

describe("estimateMonthlyCost", () => {
  const t = PRICE_TABLES["us-east-1"];
  const p = (k: string) => t.prices[k].usd;

  it("multiplies counts, hours, sizes and tasks", () => {
    const td = res("aws:ecs/taskDefinition:TaskDefinition", "api", { inputs: { cpu: "512", memory: "1024" } });
    const cost = estimateMonthlyCost(
      plan([
        res(NAT, "a"),
        res(NAT, "b"),
        td,
        res(SVC, "api", { inputs: { desiredCount: 3 }, dependsOn: [td.urn] }),
        res("aws:elasticache/replicationGroup:ReplicationGroup", "cache", { inputs: { nodeType: "cache.t4g.small", numCacheClusters: 2 } }),
      ]),
      "us-east-1",
    );
    const nat = cost.lines.find((l) => l.type === NAT)!;
    expect(nat.count).toBe(2);
    expect(nat.unitMonthly).toBeCloseTo(730 * p("ec2.natGateway.hour") + 100 * p("ec2.natGateway.gb"), 2);
    expect(nat.monthly).toBeCloseTo(2 * nat.unitMonthly, 2);
    const svc = cost.lines.find((l) => l.type === SVC)!;
    expect(svc.item).toBe("0.5 vCPU / 1 GB x 3 tasks");
    expect(svc.monthly).toBeCloseTo(730 * 3 * (0.5 * p("fargate.vcpu.hour") + 1 * p("fargate.gb.hour")), 2);
    expect(cost.lines.find((l) => l.type.startsWith("aws:elasticache"))!.monthly).toBeCloseTo(730 * 2 * p("elasticache.cache.t4g.small.hour"), 2);
    // The served task definition is not priced twice.
    expect(cost.lines.find((l) => l.type === "aws:ecs/taskDefinition:TaskDefinition")).toBeUndefined();
    expect(cost.total).toBeCloseTo(
      cost.lines.reduce((s, l) => s + l.monthly, 0),
      2,
    );
    expect(cost.unpriced).toEqual([]);
  });

  it("doubles a multi-AZ database, instance and storage", () => {
    const one = estimateMonthlyCost(plan([res(RDS, "db", { inputs: { instanceClass: "db.t4g.medium", allocatedStorage: 50 } })]), "eu-central-1");
    const two = estimateMonthlyCost(
      plan([res(RDS, "db", { inputs: { instanceClass: "db.t4g.medium", allocatedStorage: 50, multiAz: true } })]),
      "eu-central-1",
    );
    expect(two.total).toBeCloseTo(2 * one.total, 2);
    expect(two.lines[0].item).toBe("db.t4g.medium multi-AZ, 50 GB gp3");
  });

  it("reports an unknown instance class or resource type as unpriced, not zero", () => {
    const cost = estimateMonthlyCost(
      plan([
        res(RDS, "db", { inputs: { instanceClass: "db.x2iedn.24xlarge" } }),
        res("aws:opensearch/domain:Domain", "search"),
        res(SG, "sg"),
        res("chatbot:data:Database", "database"),
      ]),
      "us-east-1",
    );
    expect(cost.total).toBe(0);
    expect(cost.lines).toEqual([]);
    expect(cost.unpriced.map((u) => [u.type, u.reason])).toEqual([
      [RDS, expect.stringContaining("no price row rds.postgres.db.x2iedn.24xlarge.hour")],
      ["aws:opensearch/domain:Domain", "resource type not in the estimator"],
    ]);
    expect(formatEstimate(cost, { seconds: 0, criticalPath: [] })).toMatch(/Not priced \(2\)/);
  });

  it("refuses a region without a table", () => {
    expect(() => estimateMonthlyCost(plan([]), "ap-south-1")).toThrow(/no price table for region ap-south-1/);
  });
});

describe("estimateDeployTime", () => {
  const s = (type: string) => (createTimes.types as Record<string, { seconds: number }>)[type]?.seconds ?? createTimes.defaultSeconds;

  it("a chain adds up", () => {
    const a = res(NAT, "a");
    const b = res(RDS, "b", { dependsOn: [a.urn] });
    const c = res(SVC, "c", { dependsOn: [b.urn] });
    const t = estimateDeployTime(plan([c, a, b]));
    expect(t.seconds).toBe(s(NAT) + s(RDS) + s(SVC));
    expect(t.criticalPath).toEqual([a.urn, b.urn, c.urn]);
  });

  it("a diamond takes its longer side once", () => {
    const top = res(SG, "top");
    const left = res(RDS, "left", { dependsOn: [top.urn] });
    const right = res(NAT, "right", { dependsOn: [top.urn] });
    const bottom = res(SVC, "bottom", { dependsOn: [left.urn, right.urn] });
    const t = estimateDeployTime(plan([top, left, right, bottom]));
    expect(t.seconds).toBe(s(SG) + s(RDS) + s(SVC));
    expect(t.criticalPath).toEqual([top.urn, left.urn, bottom.urn]);
  });

  it("parallel branches cost the longest one", () => {
    const t = estimateDeployTime(plan([res(NAT, "n"), res(ALB, "lb"), res(RDS, "db", { inputs: { multiAz: true } })]));
    expect(t.seconds).toBe(1200); // the multi-AZ variant
    expect(t.criticalPath).toEqual([U(RDS, "db")]);
  });

  it("depending on a component waits for all its children; a child waits for its custom parent", () => {
    const comp = res("chatbot:data:Database", "database");
    const db = res(RDS, "db", { parent: comp.urn });
    const sg = res(SG, "sg", { parent: comp.urn });
    const app = res(SVC, "app", { dependsOn: [comp.urn] });
    const lb = res(ALB, "lb");
    const child = res("aws:lb/listener:Listener", "https", { parent: lb.urn });
    const t = estimateDeployTime(plan([comp, db, sg, app, lb, child]));
    expect(t.seconds).toBe(s(RDS) + s(SVC));
    expect(t.criticalPath).toEqual([db.urn, app.urn]);
    // The listener (parented to the custom ALB) starts after the ALB: 180 + 5, shorter than the DB path.
    const t2 = estimateDeployTime(plan([lb, child]));
    expect(t2.seconds).toBe(s(ALB) + createTimes.defaultSeconds);
  });

  it("a component's own dependsOn holds back its children", () => {
    const nat = res(NAT, "nat");
    const comp = res("chatbot:app:Service", "svc", { dependsOn: [nat.urn] });
    const svc = res(SVC, "svc", { parent: comp.urn });
    const t = estimateDeployTime(plan([nat, comp, svc]));
    expect(t.seconds).toBe(s(NAT) + s(SVC));
    expect(t.criticalPath).toEqual([nat.urn, svc.urn]);
  });

  it("an empty plan takes no time", () => {
    expect(estimateDeployTime(plan([]))).toEqual({ seconds: 0, criticalPath: [] });
  });
});
