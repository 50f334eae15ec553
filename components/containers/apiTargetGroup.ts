import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ApiTargetGroupArgs {
  /** The group's name (`<namePrefix>-<name>`), at most 32 characters. */
  name: string;
  vpcId: pulumi.Input<string>;
  targetPort: number;
  healthCheckPath: string;
  deregistrationDelaySeconds: number;
}

/**
 * The API's target group, the same behind a stack's own load balancer and behind a lender's host
 * rule: Fargate tasks by IP, health-checked every 10 s, so a new task takes traffic within ~20 s
 * (2 checks) and a dead one leaves within 30 s (3 checks); the release estimate reads these.
 */
export function apiTargetGroup(resourceName: string, args: ApiTargetGroupArgs, opts: pulumi.CustomResourceOptions): aws.lb.TargetGroup {
  return new aws.lb.TargetGroup(
    resourceName,
    {
      name: args.name,
      vpcId: args.vpcId,
      targetType: "ip",
      protocol: "HTTP",
      port: args.targetPort,
      deregistrationDelay: args.deregistrationDelaySeconds,
      healthCheck: {
        path: args.healthCheckPath,
        matcher: "200",
        protocol: "HTTP",
        port: "traffic-port",
        interval: 10,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      tags: { Name: args.name },
    },
    opts,
  );
}
