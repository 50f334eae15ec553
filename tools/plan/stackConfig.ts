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

export const ROOT = path.resolve(__dirname, "../..");

export interface StackConfigFiles {
  configFile?: string;
  secretsFile?: string;
}

export interface LoadedStackConfig {
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** Secret keys whose value is a placeholder, not a real or supplied value. */
  placeholders: string[];
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

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A pr-<n> stack has no file of its own: tools/preview-stack creates it from Pulumi.preview.yaml. */
export function stackFile(stack: string): string {
  return path.join(ROOT, `Pulumi.${/^pr-[1-9][0-9]*$/.test(stack) ? "preview" : stack}.yaml`);
}

export function loadStackConfig(stack: string, files: StackConfigFiles = {}): LoadedStackConfig {
  const project = readYaml(path.join(ROOT, "Pulumi.yaml"));
  const name: string = project.name;
  const declared: Record<string, any> = project.config ?? {};
  const stackYaml = readYaml(files.configFile ?? stackFile(stack));
  const supplied: Record<string, unknown> = files.secretsFile ? readYaml(files.secretsFile) : {};

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const placeholders: string[] = [];
  for (const [key, decl] of Object.entries(declared)) {
    if (decl && typeof decl === "object" && "default" in decl) config[`${name}:${key}`] = asConfigString(decl.default);
  }
  const stackConfig: Record<string, unknown> = stackYaml.config ?? {};
  for (const [fullKey, value] of Object.entries(stackConfig)) {
    if (value && typeof value === "object" && "secure" in (value as object)) {
      secretKeys.push(fullKey);
      config[fullKey] = "";
    } else {
      config[fullKey] = asConfigString(value);
    }
  }
  // Declared secrets absent from the stack file are filled too, so the plan shows the whole stack.
  for (const [key, decl] of Object.entries(declared)) {
    const fullKey = `${name}:${key}`;
    if (decl?.secret && !(fullKey in stackConfig)) secretKeys.push(fullKey);
  }
  const tier = config[`${name}:tier`] ?? "";
  for (const fullKey of secretKeys) {
    const key = fullKey.slice(name.length + 1);
    const given = supplied[key] ?? supplied[fullKey];
    if (given !== undefined) {
      config[fullKey] = String(given);
    } else {
      config[fullKey] = placeholder(key, tier, stack);
      placeholders.push(key);
    }
  }
  return { project: name, stack, config, secretKeys: secretKeys.sort(), placeholders: placeholders.sort() };
}

/** Placeholders differ per stack, so the secret-sharing guard sees distinct values offline. */
function placeholder(key: string, tier: string, stack: string): string {
  const spec = (allKeys as Record<string, KeySpec>)[key];
  const base = spec?.placeholder === undefined ? "placeholder" : typeof spec.placeholder === "function" ? spec.placeholder(tier) : spec.placeholder;
  return `${base}_${stack.replace(/\W/g, "_")}`;
}
