/**
 * What a stack needs of the AWS account before `pulumi up`, checked with read-only calls: the
 * stack's offline plan says what it creates (names, certificates, tools, counts per type), the
 * account says whether that fits. Nothing is created.
 */
import * as fs from "fs";
import * as path from "path";
import { RenderedStack, renderStack } from "../plan/render";
import { readYaml, ROOT, stackFile } from "../plan/stackConfig";
import { checkCertificates } from "./certificate";
import { clientsFor, Clients, destroyClients } from "./clients";
import { Needs, needsOf } from "./needs";
import { checkBuckets, checkKmsAliases } from "./names";
import { awsError, errorName, Findings } from "./problem";
import { checkQuotas, PREVIEW_STACK, QuotaRoom } from "./quotaCheck";
import { checkTools } from "./tools";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";

export interface PreflightOptions {
  stack: string;
  /** The stack's config instead of Pulumi.<stack>.yaml (a `pr-<n>` stack defaults to Pulumi.preview.yaml). */
  configFile?: string;
  secretsFile?: string;
  env?: NodeJS.ProcessEnv;
  /** The stack already rendered from that config (tests render once per config). */
  rendered?: RenderedStack;
}

export interface Report extends Findings {
  stack: string;
  region: string;
  account?: string;
  room: QuotaRoom[];
}

/** A `pr-<n>` stack has no file of its own: it is made from the preview template. */
export function configFileFor(stack: string, configFile?: string): string {
  if (configFile) return configFile;
  const own = stackFile(stack);
  return !fs.existsSync(own) && PREVIEW_STACK.test(stack) ? path.join(ROOT, "Pulumi.preview.yaml") : own;
}

/** Runs one check; an AWS error it does not expect becomes one problem naming the check, not a crash. */
async function guarded(out: Findings, what: string, check: () => Promise<unknown>): Promise<void> {
  try {
    await check();
  } catch (e) {
    const denied = /AccessDenied|UnauthorizedOperation|Forbidden/.test(errorName(e));
    out.problems.push({
      resource: what,
      argument: "read access",
      problem: `the check failed: ${awsError(e)}`,
      fix: denied ? "grant the deploying role read access to it (Describe*/List*/Get*)" : "retry; if it persists, report it with this line",
    });
  }
}

export async function preflight(opts: PreflightOptions): Promise<Report> {
  const regional = new Map<string, Clients>();
  try {
    return await run(opts, regional);
  } finally {
    for (const c of regional.values()) destroyClients(c);
  }
}

async function run(opts: PreflightOptions, regional: Map<string, Clients>): Promise<Report> {
  const env = opts.env ?? process.env;
  const configFile = configFileFor(opts.stack, opts.configFile);
  const { plan, config } = opts.rendered ?? (await renderStack({ stack: opts.stack, configFile, secretsFile: opts.secretsFile }));
  const needs: Needs = needsOf(plan);
  const report: Report = { stack: opts.stack, region: needs.region, problems: [], notes: [], room: [] };
  checkTools(needs, report, env.PATH ?? "");

  const clients = clientsFor(needs.region, env);
  regional.set(needs.region, clients);
  try {
    report.account = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (e) {
    report.problems.push({
      resource: "AWS credentials",
      argument: "sts:GetCallerIdentity",
      problem: `no usable credentials (${awsError(e)}); the account checks were not run`,
      fix: "configure credentials for the target account (AWS_PROFILE, aws sso login, or the CI role's OIDC)",
    });
    return report;
  }
  const clientsIn = (region: string) => regional.get(region) ?? regional.set(region, clientsFor(region, env)).get(region)!;
  const domainKey = `${config.project}:domainName`;
  const domain = domainKey in config.config ? config.config[domainKey] || undefined : undefined;
  const secretsProvider: string | undefined = readYaml(configFile).secretsprovider;

  await guarded(report, "S3 bucket names", () => checkBuckets(clients, needs, report));
  await guarded(report, "KMS aliases", () => checkKmsAliases(clients, needs, { file: path.basename(configFile), url: secretsProvider }, report, clientsIn));
  await guarded(report, "ACM certificates", () => checkCertificates(clients, needs, domain, report));
  await guarded(report, "service quotas", async () => {
    report.room = await checkQuotas(clients, needs, report);
  });
  return report;
}
