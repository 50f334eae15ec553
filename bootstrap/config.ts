/**
 * The bootstrap stack's config, validated before any resource is declared: every problem at once,
 * one line each, naming the key, the value, what is wrong and what is allowed.
 */
import * as pulumi from "@pulumi/pulumi";

export type Access = "deploy" | "prStacks";

export interface AppStackEntry {
  domainName: string;
  githubEnvironment: string;
  access: Access;
  wildcard: boolean;
  /** Another entry whose image repositories this one uses (pr-<n> stacks run staging's images). */
  imagesOf?: string;
}

export interface BootstrapConfig {
  project: string;
  stack: string;
  region: string;
  appProject: string;
  githubRepository: string;
  hostedZoneName: string;
  createHostedZone: boolean;
  readOnlyEnvironment: string;
  appStacks: Record<string, AppStackEntry>;
}

const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ENTRY = /^[a-z][a-z0-9-]{0,19}$/;
const ENVIRONMENT = /^[\w.-]{1,255}$/;

export class BootstrapConfigError extends Error {
  constructor(
    stack: string,
    readonly issues: string[],
  ) {
    super(
      `Invalid config for bootstrap stack "${stack}" (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${issues.map((i) => `  - ${i}`).join("\n")}`,
    );
    this.name = "BootstrapConfigError";
  }
}

/** Checks raw config (`<project>:<key>` -> string, as the CLI passes it). Throws with every problem. */
export function validateBootstrapConfig(project: string, stack: string, raw: Record<string, string>): BootstrapConfig {
  const issues: string[] = [];
  const get = (key: string) => raw[`${project}:${key}`];
  const fix = (key: string, what: string) => `\`pulumi config set ${project}:${key} <${what}> --stack ${stack}\``;
  const need = (key: string, pattern: RegExp, allowed: string, dflt?: string): string => {
    const v = get(key) ?? dflt;
    if (v === undefined) issues.push(`${project}:${key} = (not set): required, ${allowed}: ${fix(key, "value")}`);
    else if (!pattern.test(v)) issues.push(`${project}:${key} = ${JSON.stringify(v)}: expected ${allowed}`);
    return v ?? "";
  };
  const region = need("region", /^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-central-1", "eu-central-1");
  const appProject = need("appProject", /^[a-z][a-z0-9-]{0,19}$/, "a lowercase Pulumi project name (at most 20 characters)", "chatbot");
  const githubRepository = need("githubRepository", /^[\w.-]+\/[\w.-]+$/, "owner/name of a GitHub repository");
  const hostedZoneName = need("hostedZoneName", HOST, "a DNS name such as chatbot.example.com");
  const createRaw = get("createHostedZone") ?? "true";
  if (createRaw !== "true" && createRaw !== "false") issues.push(`${project}:createHostedZone = ${JSON.stringify(createRaw)}: expected true or false`);
  const readOnlyEnvironment = need("readOnlyEnvironment", ENVIRONMENT, "a GitHub environment name", "preview");

  const appStacks: Record<string, AppStackEntry> = {};
  const rawStacks = get("appStacks");
  let parsed: unknown;
  try {
    parsed = rawStacks === undefined ? undefined : JSON.parse(rawStacks);
  } catch {
    parsed = rawStacks;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || Object.keys(parsed).length === 0) {
    issues.push(
      `${project}:appStacks = ${rawStacks === undefined ? "(not set)" : JSON.stringify(rawStacks)}: expected a map of app-stack entries, e.g. staging: { domainName: staging.example.com, githubEnvironment: staging, access: deploy } (see bootstrap/Pulumi.main.yaml)`,
    );
  } else {
    for (const [entry, value] of Object.entries(parsed as Record<string, any>)) {
      const at = `${project}:appStacks.${entry}`;
      if (!ENTRY.test(entry))
        issues.push(`${at}: the entry name must be lowercase letters, digits and hyphens, at most 20 characters (it becomes part of every physical name)`);
      const v = value ?? {};
      if (typeof v.domainName !== "string" || !HOST.test(v.domainName))
        issues.push(`${at}.domainName = ${JSON.stringify(v.domainName)}: expected a DNS name (or *.<name>) such as staging.chatbot.example.com`);
      else if (v.domainName !== hostedZoneName && !v.domainName.endsWith(`.${hostedZoneName}`))
        issues.push(
          `${at}.domainName = ${JSON.stringify(v.domainName)}: not in the hosted zone ${hostedZoneName}: DNS validation and the alias record need the name inside the zone`,
        );
      if (typeof v.githubEnvironment !== "string" || !ENVIRONMENT.test(v.githubEnvironment))
        issues.push(`${at}.githubEnvironment = ${JSON.stringify(v.githubEnvironment)}: expected a GitHub environment name`);
      if (v.access !== "deploy" && v.access !== "prStacks") issues.push(`${at}.access = ${JSON.stringify(v.access)}: expected deploy or prStacks`);
      if (v.wildcard !== undefined && typeof v.wildcard !== "boolean") issues.push(`${at}.wildcard = ${JSON.stringify(v.wildcard)}: expected true or false`);
      appStacks[entry] = {
        domainName: v.domainName,
        githubEnvironment: v.githubEnvironment,
        access: v.access,
        wildcard: v.wildcard === true,
        imagesOf: v.imagesOf,
      };
    }
    for (const [entry, e] of Object.entries(appStacks)) {
      if (e.imagesOf === undefined) continue;
      const other = appStacks[e.imagesOf];
      if (!other || other.imagesOf !== undefined)
        issues.push(
          `${project}:appStacks.${entry}.imagesOf = ${JSON.stringify(e.imagesOf)}: expected another entry that has repositories of its own (one of ${Object.keys(
            appStacks,
          )
            .filter((k) => appStacks[k].imagesOf === undefined)
            .join(", ")})`,
        );
    }
    const envs = Object.values(appStacks).map((e) => e.githubEnvironment);
    for (const env of new Set(envs)) {
      if (envs.filter((e) => e === env).length > 1)
        issues.push(
          `${project}:appStacks: githubEnvironment ${JSON.stringify(env)} is given to more than one entry: one role per environment, each for one stack`,
        );
      if (env === readOnlyEnvironment)
        issues.push(`${project}:appStacks: githubEnvironment ${JSON.stringify(env)} is also readOnlyEnvironment: a read-only environment cannot deploy`);
    }
  }
  for (const key of Object.keys(raw)) {
    const name = key.slice(project.length + 1);
    if (key.startsWith(`${project}:`) && !KNOWN.includes(name)) issues.push(`${key}: unknown key; known: ${KNOWN.join(", ")}`);
  }
  if (issues.length > 0) throw new BootstrapConfigError(stack, issues);
  return { project, stack, region, appProject, githubRepository, hostedZoneName, createHostedZone: createRaw === "true", readOnlyEnvironment, appStacks };
}

const KNOWN = ["region", "appProject", "githubRepository", "hostedZoneName", "createHostedZone", "readOnlyEnvironment", "appStacks"];

export function loadBootstrapConfig(): BootstrapConfig {
  try {
    return validateBootstrapConfig(pulumi.getProject(), pulumi.getStack(), pulumi.runtime.allConfig());
  } catch (e) {
    // RunError: the CLI prints the message alone, without a stack trace.
    if (e instanceof BootstrapConfigError) throw Object.assign(new pulumi.RunError(e.message), { issues: e.issues });
    throw e;
  }
}
