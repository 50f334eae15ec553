import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ClusterArgs {
  /** `<project>-<stack>`. */
  namePrefix: string;
}

/** The ECS cluster every Fargate service and task of the stack runs in, with Container Insights. */
export class Cluster extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:containers:Cluster", name, {}, opts);
    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { name: args.namePrefix, settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this },
    );
    new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity`,
      { clusterName: cluster.name, capacityProviders: ["FARGATE"], defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1 }] },
      { parent: this },
    );
    this.arn = cluster.arn;
    this.name = cluster.name;
    this.registerOutputs({ arn: this.arn, name: this.name });
  }
}
