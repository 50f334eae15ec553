import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { apiTargetGroup } from "./apiTargetGroup";

export interface HostRouteArgs {
  /** `<project>-<stack>`: the target group is `<namePrefix>-<name>` (at most 32 characters, AWS's limit). */
  namePrefix: string;
  vpcId: pulumi.Input<string>;
  /** The shared load balancer's HTTPS listener (its certificate covers `host`). */
  listenerArn: pulumi.Input<string>;
  /** `app/<name>/<id>` of the shared load balancer: the `LoadBalancer` dimension of its metrics. */
  albArnSuffix: pulumi.Input<string>;
  /** The one host name this route answers, e.g. `pr-123.staging.chatbot.example`. */
  host: string;
  /** Port the containers listen on. */
  targetPort: number;
  /** Path the target group's health check requests; only a 200 counts as healthy. */
  healthCheckPath: string;
  /** Seconds a deregistering target keeps its in-flight requests. */
  deregistrationDelaySeconds: number;
}

/**
 * A stack's API behind another stack's load balancer: its own target group and one host-header
 * rule on the shared HTTPS listener. It owns nothing else of the load balancer, so destroying it
 * removes exactly the rule and the group; the listener's default action (the lender's own API)
 * and its other rules are untouched.
 */
export class HostRoute extends pulumi.ComponentResource {
  /** Target group ARN, resolved only after the rule forwards to it (ECS requires that). */
  readonly targetGroupArn: pulumi.Output<string>;
  readonly targetGroupArnSuffix: pulumi.Output<string>;
  readonly albArnSuffix: pulumi.Output<string>;
  /** The host name the rule matches (`pr-<n>.<preview domain>`), and its https URL. */
  readonly host: string;
  readonly url: string;

  constructor(name: string, args: HostRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:containers:HostRoute", name, {}, opts);
    const child = { parent: this };
    const full = `${args.namePrefix}-${name}`;
    if (full.length > 32) throw new pulumi.RunError(`target group name ${full} is longer than AWS's 32 characters: shorten the stack name`);

    const targetGroup = apiTargetGroup(
      `${name}-tg`,
      {
        name: full,
        vpcId: args.vpcId,
        targetPort: args.targetPort,
        healthCheckPath: args.healthCheckPath,
        deregistrationDelaySeconds: args.deregistrationDelaySeconds,
      },
      child,
    );

    // No priority: AWS gives the rule the next free one, so concurrent previews never collide on a number.
    const rule = new aws.lb.ListenerRule(
      `${name}-rule`,
      {
        listenerArn: args.listenerArn,
        conditions: [{ hostHeader: { values: [args.host] } }],
        actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
        tags: { Name: full },
      },
      child,
    );

    this.targetGroupArn = pulumi.all([targetGroup.arn, rule.arn]).apply(([arn]) => arn);
    this.targetGroupArnSuffix = targetGroup.arnSuffix;
    this.albArnSuffix = pulumi.output(args.albArnSuffix);
    this.host = args.host;
    this.url = `https://${args.host}`;
    this.registerOutputs({ targetGroupArn: this.targetGroupArn, url: this.url });
  }
}
