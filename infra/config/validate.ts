import Ajv from "ajv";
import { allKeys, secretKeys, settingKeys } from "./keys";
import { isRetiredValue, retiredKeys } from "./keys/retired";
import { KeySpec, ValueOf } from "./spec";
import { crossKeyIssues } from "./rules";

export type Settings = { -readonly [K in keyof typeof settingKeys]: ValueOf<(typeof settingKeys)[K]> };
export type SecretName = keyof typeof secretKeys;
export type SecretValues = Record<SecretName, string>;

export interface ConfigIssue {
  key: string;
  value: string | undefined;
  problem: string;
}

export class ConfigError extends Error {
  constructor(
    readonly project: string,
    readonly stack: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid config for stack "${stack}" (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
        issues.map((i) => `  - ${project}:${i.key} = ${i.value === undefined ? "(not set)" : JSON.stringify(i.value)}: ${i.problem}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat("email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
ajv.addFormat("cidr", { type: "string", validate: isIpv4Cidr });

/** A network address with no host bits set, prefix /16 to /20 (subnets are carved as prefix+4). */
export function isIpv4Cidr(value: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!m) return false;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix < 16 || prefix > 20) return false;
  const addr = octets.reduce((a, o) => a * 256 + o, 0);
  return addr % 2 ** (32 - prefix) === 0;
}

const validators = new Map(Object.entries(allKeys).map(([k, spec]) => [k, ajv.compile((spec as KeySpec).schema)]));

/** Pulumi hands every config value over as a string; structured values arrive as JSON. */
function parseRaw(spec: KeySpec, raw: string): unknown {
  switch (spec.pulumiType) {
    case "integer":
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "array":
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    default:
      return raw;
  }
}

export interface ValidatedConfig {
  settings: Settings;
  secrets: SecretValues;
}

/**
 * Checks raw stack config (`<project>:<key>` -> string, as Pulumi passes it) against the schema.
 * Collects every problem before failing, so one run shows the whole list.
 */
export function validateConfig(project: string, stack: string, raw: Record<string, string>, secretConfigKeys: ReadonlySet<string>): ValidatedConfig {
  const issues: ConfigIssue[] = [];
  const values: Record<string, unknown> = {};
  const prefix = `${project}:`;

  for (const fullKey of Object.keys(raw).sort()) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    const retired = retiredKeys[key];
    if (retired && !isRetiredValue(retired, raw[fullKey])) {
      issues.push({ key, value: raw[fullKey], problem: `no longer a setting: ${retired.reason}; remove it: \`pulumi config rm ${fullKey} --stack ${stack}\`` });
    } else if (!retired && !(key in allKeys)) {
      issues.push({ key, value: raw[fullKey], problem: `unknown key${suggest(key)}; see the config reference in README.md` });
    }
  }

  for (const [key, specAny] of Object.entries(allKeys)) {
    const spec = specAny as KeySpec;
    const fullKey = prefix + key;
    const rawValue = raw[fullKey];
    const shown = spec.secret ? (rawValue === undefined ? undefined : "[secret]") : rawValue;
    if (rawValue === undefined) {
      if (spec.default !== undefined) {
        values[key] = spec.default;
      } else if (spec.secret) {
        issues.push({ key, value: undefined, problem: `required secret is missing: run \`pulumi config set --secret ${fullKey} <value> --stack ${stack}\`` });
      } else {
        issues.push({ key, value: undefined, problem: `required; set it to ${spec.allowed}: \`pulumi config set ${fullKey} <value> --stack ${stack}\`` });
      }
      continue;
    }
    if (spec.secret && !secretConfigKeys.has(fullKey)) {
      issues.push({ key, value: shown, problem: `must be stored encrypted: run \`pulumi config set --secret ${fullKey} <value> --stack ${stack}\`` });
      continue;
    }
    const parsed = parseRaw(spec, rawValue);
    if (!validators.get(key)!(parsed)) {
      issues.push({ key, value: shown, problem: `expected ${spec.allowed}` });
      continue;
    }
    const problem = spec.check?.(parsed);
    if (problem) {
      issues.push({ key, value: shown, problem: `${problem}; expected ${spec.allowed}` });
      continue;
    }
    values[key] = parsed;
  }

  if (issues.length === 0) issues.push(...crossKeyIssues(values));
  if (issues.length > 0) throw new ConfigError(project, stack, issues);

  const secrets = {} as SecretValues;
  const settings = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    if (key in secretKeys) secrets[key as SecretName] = value as string;
    else settings[key] = value;
  }
  return { settings: settings as Settings, secrets };
}

function suggest(key: string): string {
  const lower = key.toLowerCase();
  const close = Object.keys(allKeys).find((k) => k.toLowerCase() === lower || editDistance(k.toLowerCase(), lower) <= 2);
  return close ? ` (did you mean ${close}?)` : "";
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
