/** The ECS cluster alone: Container Insights on, Fargate the only capacity. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one } from "../../support/plan";

describe("Cluster", () => {
  it("is one Fargate-only cluster with Container Insights", async () => {
    const plan = await renderComponent(() => {
      const { Cluster } = load<typeof import("../../../components/containers/cluster")>("components/containers/cluster");
      new Cluster("cluster", { namePrefix: "chatbot-test" });
    });
    expect(typeCounts(plan)).toEqual({
      "chatbot:containers:Cluster": 1,
      "aws:ecs/cluster:Cluster": 1,
      "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": 1,
    });
    expect(one(plan, "aws:ecs/cluster:Cluster").inputs).toEqual({ name: "chatbot-test", settings: [{ name: "containerInsights", value: "enabled" }] });
    expect(one(plan, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs).toMatchObject({
      capacityProviders: ["FARGATE"],
      defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }],
    });
  });
});
