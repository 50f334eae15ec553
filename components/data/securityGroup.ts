import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Who may connect to a store: a short label (used in names and rule descriptions) -> security group id. */
export type ClientGroups = Record<string, pulumi.Input<string>>;

export interface StoreSecurityGroupArgs {
  namePrefix: string;
  vpcId: pulumi.Input<string>;
  /** Physical name is `<namePrefix>-<suffix>`. */
  suffix: string;
  description: string;
  /** The one TCP port the store listens on. */
  port: number;
  /** What listens on the port, for rule descriptions ("PostgreSQL"). */
  service: string;
  clients: ClientGroups;
}

/**
 * A store's own security group: one TCP port, open only to the named client groups. Each store
 * gets its own group (not the network's shared `data` group) so that a rule for one store's port
 * never opens that port, or a client's path, on another store. No CIDR ingress. No egress rules
 * either: a managed store never initiates connections, and security groups let replies out; a
 * store that runs its own tasks adds the egress they need.
 */
export function storeSecurityGroup(name: string, args: StoreSecurityGroupArgs, opts: pulumi.CustomResourceOptions): aws.ec2.SecurityGroup {
  const physical = `${args.namePrefix}-${args.suffix}`;
  const sg = new aws.ec2.SecurityGroup(`${name}-sg`, { name: physical, description: args.description, vpcId: args.vpcId, tags: { Name: physical } }, opts);
  for (const [label, groupId] of Object.entries(args.clients)) {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-in-${label}`,
      {
        securityGroupId: sg.id,
        referencedSecurityGroupId: groupId,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        description: `${args.service} from the ${label} group`,
      },
      opts,
    );
  }
  return sg;
}
