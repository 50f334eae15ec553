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

/** The entry's outputs, or the one-line problem with them and its fix. */
export function checkBootstrapEntry(cfg: Pick<StackConfig, "bootstrapStack" | "bootstrapEntry" | "domainName" | "project" | "wildcardCertificate">, all: unknown): AppStackBootstrap | string {
  const entry = cfg.bootstrapEntry;
  const deploy = "deploy it first (`cd bootstrap && pulumi up --stack <account>`, README \"Deploying for real\")";
  if (all === undefined || all === null || typeof all !== "object") {
    return `bootstrap stack ${cfg.bootstrapStack} has no output "${APP_STACKS_OUTPUT}": ${deploy}, or correct ${cfg.project}:bootstrapStack`;
  }
  const e = (all as Record<string, AppStackBootstrap>)[entry];
  if (!e) {
    return `bootstrap stack ${cfg.bootstrapStack} has no app-stack entry "${entry}" (it has ${Object.keys(all).join(", ") || "none"}): add it to chatbot-bootstrap:appStacks and run bootstrap's pulumi up, or set ${cfg.project}:bootstrapEntry`;
  }
  if (!covers(e.domainName, cfg.domainName)) {
    return `${cfg.project}:domainName = "${cfg.domainName}" is not covered by the certificate of bootstrap entry "${entry}" (${e.domainName}): set domainName to it, or change appStacks.${entry}.domainName in the bootstrap stack and run its pulumi up`;
  }
  if (cfg.wildcardCertificate && !e.wildcardCertificateArn) {
    return `${cfg.project}:wildcardCertificate is true, but bootstrap entry "${entry}" has no wildcard certificate: set appStacks.${entry}.wildcard: true in the bootstrap stack and run its pulumi up, or set wildcardCertificate false`;
  }
  return e;
}

export function readBootstrap(cfg: StackConfig): pulumi.Output<AppStackBootstrap> {
  const ref = new pulumi.StackReference("bootstrap", { name: cfg.bootstrapStack });
  const checked = ref.getOutput(APP_STACKS_OUTPUT).apply((all) => checkBootstrapEntry(cfg, all));
  // The failure on its own, unconsumed: it fails the program (RunError: one line, no stack trace)
  // however the SDK treats a rejected provider input.
  checked.apply((c) => {
    if (typeof c === "string") throw new pulumi.RunError(c);
  });
  return checked.apply((c) => {
    if (typeof c === "string") throw new pulumi.RunError(c);
    return c;
  });
}
