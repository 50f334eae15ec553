/**
 * Reads a stack's config the way the Pulumi CLI hands it to the program: project defaults from
 * Pulumi.yaml, overlaid by Pulumi.<stack>.yaml. Encrypted values cannot be decrypted offline, so
 * they become placeholders (or the plaintext from --secrets FILE) and stay marked secret.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { allKeys } from "../../infra/config/keys";
import { KeySpec } from "../../infra/config/spec";
import { environmentImports, resolveEnvironments } from "./esc";

export const ROOT = path.resolve(__dirname, "../..");

export interface StackConfigFiles {
  configFile?: string;
  secretsFile?: string;
  /** Where the offline copies of ESC environments are (`<dir>/<project>/<env>.yaml`); default `esc/`. */
  environmentsDir?: string;
  /** The project's directory (its Pulumi.yaml and stack files); default the app project, ROOT. */
  projectDir?: string;
}

export const ENVIRONMENTS_DIR = path.join(ROOT, "esc");

/** The second Pulumi project of this repository, one stack per AWS account. */
export const BOOTSTRAP_DIR = path.join(ROOT, "bootstrap");

export interface LoadedStackConfig {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** Secret keys whose value is a placeholder, not a real or supplied value. */
  placeholders: string[];
  /** The stack file's ESC imports, resolved offline (tools/plan/esc.ts). */
  environments: string[];
  /** Keys whose value came from an ESC environment (not overridden by the stack file). */
  fromEnvironment: string[];
}

const parsed = new Map<string, { text: string; value: any }>();

/** Parsed YAML, reused while the file's text is unchanged (a diff reads the same files ~50 times). Do not mutate. */
export function readYaml(file: string): any {
  if (!fs.existsSync(file)) throw new Error(`plan: ${file} does not exist`);
  const text = fs.readFileSync(file, "utf8");
  const hit = parsed.get(file);
  if (hit?.text === text) return hit.value;
  const value = YAML.parse(text) ?? {};
  parsed.set(file, { text, value });
  return value;
}

/** Records a file this process just wrote from a parsed value, so readYaml does not parse it again. */
export function rememberYaml(file: string, text: string, value: unknown): void {
  parsed.set(file, { text, value: value ?? {} });
}

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A pr-<n> stack has no file of its own: tools/preview-stack creates it from Pulumi.preview.yaml. */
export function stackFile(stack: string, projectDir = ROOT): string {
  return path.join(projectDir, `Pulumi.${/^pr-[1-9][0-9]*$/.test(stack) ? "preview" : stack}.yaml`);
}

export function loadStackConfig(stack: string, files: StackConfigFiles = {}): LoadedStackConfig {
  const project = readYaml(path.join(files.projectDir ?? ROOT, "Pulumi.yaml"));
  const name: string = project.name;
  const declared: Record<string, any> = project.config ?? {};
  const stackYaml = readYaml(files.configFile ?? stackFile(stack, files.projectDir));
  const supplied: Record<string, unknown> = files.secretsFile ? readYaml(files.secretsFile) : {};

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const placeholders: string[] = [];
  for (const [key, decl] of Object.entries(declared)) {
    if (decl && typeof decl === "object" && "default" in decl) config[`${name}:${key}`] = asConfigString(decl.default);
  }
  const source = files.configFile ?? stackFile(stack, files.projectDir);
  const environments = environmentImports(stackYaml, source);
  const env = resolveEnvironments(environments, files.environmentsDir ?? ENVIRONMENTS_DIR, name, path.basename(source));
  const fromEnvironment: string[] = [];
  for (const [fullKey, value] of Object.entries(env.values)) {
    config[fullKey] = asConfigString(value);
    if (env.secretKeys.has(fullKey)) secretKeys.push(fullKey);
    fromEnvironment.push(fullKey);
  }
  // An `fn::secret` ciphertext has no plaintext offline: a secret to fill like a `secure:` value.
  secretKeys.push(...env.encrypted);
  const stackConfig: Record<string, unknown> = stackYaml.config ?? {};
  // The stack file's own config wins over its environments', as with Pulumi Cloud.
  for (const key of Object.keys(stackConfig)) {
    if (fromEnvironment.includes(key)) fromEnvironment.splice(fromEnvironment.indexOf(key), 1);
    if (secretKeys.includes(key)) secretKeys.splice(secretKeys.indexOf(key), 1);
  }
  const fromEnv = new Set(fromEnvironment);
  for (const [fullKey, value] of Object.entries(stackConfig)) {
    if (value && typeof value === "object" && "secure" in (value as object)) {
      secretKeys.push(fullKey);
      config[fullKey] = "";
    } else {
      config[fullKey] = asConfigString(value);
    }
  }
  // Declared secrets absent from the stack file and its environments are filled too, so the plan shows the whole stack.
  for (const [key, decl] of Object.entries(declared)) {
    const fullKey = `${name}:${key}`;
    if (decl?.secret && !(fullKey in stackConfig) && !secretKeys.includes(fullKey)) secretKeys.push(fullKey);
  }
  const tier = config[`${name}:tier`] ?? "";
  for (const fullKey of secretKeys) {
    const key = fullKey.slice(name.length + 1);
    const given = supplied[key] ?? supplied[fullKey];
    if (given !== undefined) {
      config[fullKey] = String(given);
    } else if (fromEnv.has(fullKey) && !env.encrypted.has(fullKey)) {
      // A plaintext `fn::secret` of an offline environment file: its value, kept secret.
    } else {
      config[fullKey] = placeholder(key, tier, stack);
      placeholders.push(key);
    }
  }
  return {
    project: name,
    stack,
    config,
    secretKeys: [...new Set(secretKeys)].sort(),
    placeholders: placeholders.sort(),
    environments,
    fromEnvironment: fromEnvironment.sort(),
  };
}

/** Placeholders differ per stack, so the secret-sharing guard sees distinct values offline. */
function placeholder(key: string, tier: string, stack: string): string {
  const spec = (allKeys as Record<string, KeySpec>)[key];
  const base = spec?.placeholder === undefined ? "placeholder" : typeof spec.placeholder === "function" ? spec.placeholder(tier) : spec.placeholder;
  return `${base}_${stack.replace(/\W/g, "_")}`;
}
