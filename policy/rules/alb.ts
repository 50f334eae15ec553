/** Application load balancers (`aws:lb/*`, and the `aws:alb/*` aliases). */
import type { Rule, ResourceView } from "./types";
import { asArray, isTrue, known, label, linked } from "./util";

export const LOAD_BALANCER_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
export const LISTENER_TYPES = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
export const WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";

/**
 * Modern TLS policies: TLS 1.3 with a TLS 1.2 (or 1.3) floor, dated 2021-06 or later, e.g.
 * ELBSecurityPolicy-TLS13-1-2-2021-06, -TLS13-1-2-Res-2021-06, -TLS13-1-3-2021-06,
 * -TLS13-1-2-FIPS-2023-04, and newer post-quantum ones. TLS13-1-0/1-1 (TLS 1.0/1.1 allowed) fail.
 */
export function isModernSslPolicy(p: unknown): boolean {
  const m = /^ELBSecurityPolicy-TLS13-1-[23]-(?:[A-Za-z0-9]+-)*(\d{4})-(\d{2})$/.exec(String(p ?? ""));
  return !!m && Number(m[1]) * 100 + Number(m[2]) >= 202106;
}

function isRedirectToHttps(a: any): boolean {
  return a?.type === "redirect" && a.redirect?.protocol === "HTTPS";
}

function listenerProtocol(r: ResourceView): string {
  return String(r.inputs.protocol ?? "HTTP").toUpperCase();
}

export const albRules: Rule[] = [
  {
    kind: "resource",
    name: "alb-https-modern-tls",
    description:
      "HTTPS (and TLS) listeners use a TLS 1.3 policy dated 2021-06 or later " +
      "(e.g. ELBSecurityPolicy-TLS13-1-2-2021-06), so clients cannot negotiate TLS 1.0/1.1 or weak ciphers.",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (!LISTENER_TYPES.includes(r.type)) return [];
      const protocol = listenerProtocol(r);
      if (protocol !== "HTTPS" && protocol !== "TLS") return [];
      return isModernSslPolicy(r.inputs.sslPolicy)
        ? []
        : [`${label(r)}: sslPolicy must be ELBSecurityPolicy-TLS13-1-2-2021-06 or newer (is ${r.inputs.sslPolicy ?? "unset"})`];
    },
  },
  {
    kind: "resource",
    name: "alb-http-redirects-to-https",
    description: "An HTTP listener only redirects to HTTPS: no API request or bot webhook is served in the clear.",
    enforcementLevel: "mandatory",
    check: (r) => {
      if (!LISTENER_TYPES.includes(r.type) || listenerProtocol(r) !== "HTTP") return [];
      const actions = asArray(r.inputs.defaultActions);
      return actions.length > 0 && actions.every(isRedirectToHttps)
        ? []
        : [`${label(r)}: an HTTP listener's default action must be a redirect with protocol "HTTPS"`];
    },
  },
  {
    kind: "resource",
    name: "alb-access-logs",
    description: "Load balancers write access logs to S3 (accessLogs.enabled), the record auditors and incident responders need.",
    enforcementLevel: "mandatory",
    check: (r) =>
      LOAD_BALANCER_TYPES.includes(r.type) && !(isTrue(r.inputs.accessLogs?.enabled) && r.inputs.accessLogs?.bucket)
        ? [`${label(r)}: accessLogs must be enabled with a bucket`]
        : [],
  },
  {
    kind: "stack",
    name: "alb-waf-association",
    description:
      "Every internet-facing application load balancer has a WAFv2 web ACL associated " +
      "(rate limiting and managed rules in front of the API and bot webhooks).",
    enforcementLevel: "mandatory",
    check: (resources) => {
      const lbs = resources.filter((r) => LOAD_BALANCER_TYPES.includes(r.type));
      return lbs
        .filter((lb) => known(() => lb.inputs.internal) !== true)
        .filter((lb) => (known(() => lb.inputs.loadBalancerType) ?? "application") === "application")
        .filter((lb) => linked(resources, lb, lbs, WAF_ASSOCIATION, "resourceArn", ["arn", "id", "name"]).length === 0)
        .map((lb) => ({ urn: lb.urn, message: `${label(lb)} is internet-facing without a WebAclAssociation` }));
    },
  },
];
