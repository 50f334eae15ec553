/**
 * Security groups: nothing is open to the internet except HTTP/HTTPS on the ALB's group.
 *
 * Ingress is checked in all three places it can be declared: inline `ingress` of
 * `aws:ec2/securityGroup:SecurityGroup`, `aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule`,
 * and `aws:ec2/securityGroupRule:SecurityGroupRule` with type "ingress".
 *
 * A security group is "the ALB's group" when either
 *  - its `name`, `namePrefix`, `tags.Name` or logical resource name contains the token "alb"
 *    (delimited by start/end or a non-alphanumeric character: "chatbot-prod-alb", "alb-sg"; not "albert"), or
 *  - a load balancer's `securityGroups` input resolves to it (by id/name value, or by the load
 *    balancer depending on exactly that group).
 * A standalone rule's `securityGroupId` is resolved the same way (util.resolveRef); a rule whose
 * group cannot be resolved is treated as not on the ALB group (fails closed).
 */
import type { Rule, StackResourceView, Violation } from "./types";
import { asArray, known, label, resolveRef } from "./util";
import { LOAD_BALANCER_TYPES } from "./alb";

export const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
/** The VPC's default group takes inline ingress too; it is never the ALB group unless named so. */
export const DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup";
export const INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
export const SECURITY_GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";

const WORLD = ["0.0.0.0/0", "::/0"];
const ALB_TOKEN = /(^|[^a-z0-9])alb([^a-z0-9]|$)/i;
const SG_ID_KEYS = ["id", "name"];

export function hasAlbName(sg: StackResourceView): boolean {
  const names = [sg.name, known(() => sg.inputs.name), known(() => sg.inputs.namePrefix), known(() => sg.inputs.tags?.Name)];
  return names.some((n) => typeof n === "string" && ALB_TOKEN.test(n));
}

function albGroups(resources: StackResourceView[], sgs: StackResourceView[]): Set<StackResourceView> {
  const out = new Set(sgs.filter(hasAlbName));
  for (const lb of resources.filter((r) => LOAD_BALANCER_TYPES.includes(r.type))) {
    const refs = known(() => asArray(lb.inputs.securityGroups).map((x) => x)) ?? [];
    for (const ref of refs) {
      const sg = resolveRef(ref, lb, sgs, SG_ID_KEYS);
      if (sg) out.add(sg);
    }
    if (refs.length === 0 || refs.some((ref) => typeof ref !== "string")) {
      // ids unknown (preview): the groups the load balancer depends on
      sgs.filter((sg) => lb.dependsOn.includes(sg.urn)).forEach((sg) => out.add(sg));
    }
  }
  return out;
}

interface Ingress {
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
  cidrs: unknown[];
}

function worldOpenViolation(where: string, i: Ingress, onAlbGroup: boolean): string | undefined {
  const open = i.cidrs.filter((c) => WORLD.includes(String(c)));
  if (open.length === 0) return undefined;
  const protocol = String(i.protocol ?? "").toLowerCase();
  const webPort = i.fromPort === i.toPort && (Number(i.fromPort) === 80 || Number(i.fromPort) === 443);
  if (onAlbGroup && (protocol === "tcp" || protocol === "6") && webPort) return undefined;
  const ports = `${protocol || "?"} ${i.fromPort ?? "?"}-${i.toPort ?? "?"}`;
  return onAlbGroup
    ? `${where}: ${open.join(", ")} may only reach tcp 80 or 443 on the ALB group (found ${ports})`
    : `${where}: ingress from ${open.join(", ")} (${ports}) is only allowed on the ALB group (a group named *-alb*)`;
}

export const securityGroupRules: Rule[] = [
  {
    kind: "stack",
    name: "sg-no-public-ingress",
    description:
      "Only the internet-facing ALB accepts traffic from the internet, and only on 80/443; " +
      "databases, Redis, EFS, Chroma and the bots are reachable from inside the VPC only.",
    enforcementLevel: "mandatory",
    check: (resources) => {
      const sgs = resources.filter((r) => r.type === SECURITY_GROUP || r.type === DEFAULT_SECURITY_GROUP);
      const alb = albGroups(resources, sgs);
      const out: Violation[] = [];
      const push = (r: StackResourceView, m: string | undefined) => m && out.push({ urn: r.urn, message: m });
      for (const sg of sgs) {
        for (const i of asArray(sg.inputs.ingress)) {
          const cidrs = [...asArray(i?.cidrBlocks), ...asArray(i?.ipv6CidrBlocks)];
          push(sg, worldOpenViolation(`${label(sg)} inline ingress`, { protocol: i?.protocol, fromPort: i?.fromPort, toPort: i?.toPort, cidrs }, alb.has(sg)));
        }
      }
      for (const r of resources.filter((x) => x.type === INGRESS_RULE)) {
        const sg = resolveRef(
          known(() => r.inputs.securityGroupId),
          r,
          sgs,
          SG_ID_KEYS,
        );
        const i = r.inputs;
        const cidrs = [i.cidrIpv4, i.cidrIpv6].filter((c) => c !== undefined);
        push(r, worldOpenViolation(label(r), { protocol: i.ipProtocol, fromPort: i.fromPort, toPort: i.toPort, cidrs }, !!sg && alb.has(sg)));
      }
      for (const r of resources.filter((x) => x.type === SECURITY_GROUP_RULE && x.inputs.type === "ingress")) {
        const sg = resolveRef(
          known(() => r.inputs.securityGroupId),
          r,
          sgs,
          SG_ID_KEYS,
        );
        const i = r.inputs;
        const cidrs = [...asArray(i.cidrBlocks), ...asArray(i.ipv6CidrBlocks)];
        push(r, worldOpenViolation(label(r), { protocol: i.protocol, fromPort: i.fromPort, toPort: i.toPort, cidrs }, !!sg && alb.has(sg)));
      }
      return out;
    },
  },
];
