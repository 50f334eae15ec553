/**
 * The network as each stack's config builds it, through the network part's provider. What the
 * component does with any arguments is test/components/network/network.test.ts.
 */
import { effectiveTags, ofType, planFor } from "./support/plan";
import type { Plan } from "../tools/plan/types";

describe.each([
  ["staging", 2, 1],
  ["prod", 3, 3],
])("network of %s", (stack, azs, nats) => {
  let plan: Plan;
  beforeAll(async () => {
    plan = (await planFor(stack)).plan;
  });

  it(`has ${azs} AZs and ${nats} NAT gateway(s), as its config says`, () => {
    expect(ofType(plan, "aws:ec2/subnet:Subnet")).toHaveLength(2 * azs);
    expect(ofType(plan, "aws:ec2/natGateway:NatGateway")).toHaveLength(nats);
  });

  it("tags every network resource with project, stack, part and managed-by", () => {
    const tagged = plan.resources.filter((x) => x.parent?.endsWith("::network") && x.type.startsWith("aws:") && "tags" in x.inputs);
    expect(tagged.length).toBeGreaterThan(10);
    for (const r of tagged) expect(effectiveTags(plan, r)).toMatchObject({ project: "chatbot", stack, part: "network", "managed-by": "pulumi" });
  });
});
