/**
 * The bootstrap program: what the app stacks need before they exist, once per AWS account. Config
 * is validated before any resource is declared; the app stacks read `appStacks` (./contract.ts)
 * through a StackReference named by their `bootstrapStack` key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadBootstrapConfig } from "./config";
import { APP_IMAGES, AppStackBootstrap } from "./contract";
import { Dns } from "./dns";
import { GithubAccess } from "./github";
import { Registry } from "./registry";
import { SecretsKeys } from "./secretsKeys";

const cfg = loadBootstrapConfig();
const provider = new aws.Provider("aws-bootstrap", {
  region: cfg.region as aws.Region,
  defaultTags: { tags: { project: cfg.appProject, stack: cfg.stack, part: "bootstrap", "managed-by": "pulumi" } },
});
const opts = { providers: { aws: provider } };
const entries = Object.keys(cfg.appStacks).sort();

const keys = new SecretsKeys("secrets", { appProject: cfg.appProject, region: cfg.region, entries }, opts);
const registry = new Registry("registry", { appProject: cfg.appProject, entries: entries.filter((e) => !cfg.appStacks[e].imagesOf) }, opts);
const domains = entries.flatMap((e) => [cfg.appStacks[e].domainName, ...(cfg.appStacks[e].wildcard ? [`*.${cfg.appStacks[e].domainName}`] : [])]);
const dns = new Dns("dns", { hostedZoneName: cfg.hostedZoneName, createHostedZone: cfg.createHostedZone, certificateDomains: domains }, opts);
const github = new GithubAccess(
  "github",
  {
    appProject: cfg.appProject,
    region: cfg.region,
    repository: cfg.githubRepository,
    readOnlyEnvironment: cfg.readOnlyEnvironment,
    appStacks: cfg.appStacks,
    hostedZoneId: dns.zoneId,
    secretsKeyArns: keys.keyArns,
  },
  opts,
);

function entryOutputs(entry: string): pulumi.Output<AppStackBootstrap> {
  const e = cfg.appStacks[entry];
  const repos = registry.repositories[e.imagesOf ?? entry];
  const repositories = pulumi.all(Object.fromEntries(APP_IMAGES.map((i) => [i, pulumi.all({ url: repos[i].url, arn: repos[i].arn })])));
  const wildcard = e.wildcard ? dns.certificateArns[`*.${e.domainName}`] : undefined;
  return pulumi
    .all([dns.zoneId, dns.certificateArns[e.domainName], wildcard, keys.keyArns[entry], repositories])
    .apply(([hostedZoneId, certificateArn, wildcardCertificateArn, secretsKeyArn, repos]): AppStackBootstrap => ({
      domainName: e.domainName,
      hostedZoneId,
      certificateArn,
      ...(wildcardCertificateArn ? { wildcardCertificateArn } : {}),
      secretsProvider: keys.providers[entry],
      secretsKeyArn,
      repositories: repos as unknown as AppStackBootstrap["repositories"],
    }));
}

export const appStacks = pulumi.all(Object.fromEntries(entries.map((e) => [e, entryOutputs(e)])));
export const hostedZoneId = dns.zoneId;
/** Delegate these from the parent domain when the zone was created here. */
export const hostedZoneNameServers = dns.nameServers;
export const githubOidcProviderArn = github.providerArn;
/** Set each GitHub environment's `AWS_ROLE_ARN` variable to its entry. */
export const githubRoleArns = github.roleArns;
