/**
 * The app stack's view of its account's bootstrap stack (bootstrap/): one StackReference, checked
 * before the parts' providers exist, so a missing or undeployed bootstrap stack fails with one
 * line and no AWS resource is created.
 */
import * as pulumi from "@pulumi/pulumi";
import { APP_STACKS_OUTPUT, AppStackBootstrap } from "../bootstrap/contract";
import { StackConfig } from "./config";

/** Whether a certificate for `certDomain` (possibly `*.x`) covers `host`. */
export function covers(certDomain: string, host: string): boolean {
  if (certDomain === host) return true;
  return certDomain.startsWith("*.") && host.endsWith(certDomain.slice(1)) && !host.slice(0, -certDomain.length + 1).includes(".");
}

/**
 * The bootstrap entry this stack uses: the one whose domainName is this stack's, else the one
 * whose wildcard covers it (pr-<n> stacks); or the one-line problem and its fix.
 */
export function checkBootstrapEntry(
  cfg: Pick<StackConfig, "bootstrapStack" | "domainName" | "project" | "wildcardCertificate">,
  all: unknown,
): AppStackBootstrap | string {
  const deploy = 'deploy it first (`cd bootstrap && pulumi up --stack <account>`, README "Deploying for real")';
  if (all === undefined || all === null || typeof all !== "object") {
    return `bootstrap stack ${cfg.bootstrapStack} has no output "${APP_STACKS_OUTPUT}": ${deploy}, or correct ${cfg.project}:bootstrapStack`;
  }
  const entries = Object.entries(all as Record<string, AppStackBootstrap>);
  const found = entries.find(([, e]) => e.domainName === cfg.domainName) ?? entries.find(([, e]) => covers(e.domainName, cfg.domainName));
  if (!found) {
    const listed = entries.map(([k, e]) => `${k} (${e.domainName})`).join(", ") || "none";
    return `${cfg.project}:domainName = "${cfg.domainName}" has no entry in bootstrap stack ${cfg.bootstrapStack} (entries: ${listed}): add one to chatbot-bootstrap:appStacks and run bootstrap's pulumi up, or correct domainName`;
  }
  const [entry, e] = found;
  if (cfg.wildcardCertificate && !e.wildcardCertificateArn) {
    return `${cfg.project}:wildcardCertificate is true, but bootstrap entry "${entry}" has no wildcard certificate: set appStacks.${entry}.wildcard: true in the bootstrap stack and run its pulumi up, or set wildcardCertificate false`;
  }
  return e;
}

/** A RunError (the CLI prints the line alone) carrying `issues` like a config error, naming the key at fault. */
function bootstrapError(cfg: Pick<StackConfig, "project">, message: string): Error {
  const key = new RegExp(`^${cfg.project}:(\\w+)`).exec(message)?.[1] ?? "bootstrapStack";
  return Object.assign(new pulumi.RunError(message), { issues: [{ key, value: undefined, problem: message }] });
}

export function readBootstrap(cfg: StackConfig): pulumi.Output<AppStackBootstrap> {
  const ref = new pulumi.StackReference("bootstrap", { name: cfg.bootstrapStack });
  const checked = ref.getOutput(APP_STACKS_OUTPUT).apply((all) => checkBootstrapEntry(cfg, all));
  // The failure on its own, unconsumed: it fails the program however the SDK treats a rejected
  // provider input (the parts' providers wait on the value below).
  checked.apply((c) => {
    if (typeof c === "string") throw bootstrapError(cfg, c);
  });
  return checked.apply((c) => {
    if (typeof c === "string") throw bootstrapError(cfg, c);
    return c;
  });
}
