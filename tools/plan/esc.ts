/**
 * Pulumi ESC environments, resolved offline. A stack file's `environment:` imports name ESC
 * environments (`<project>/<env>`) whose `values.pulumiConfig` becomes stack config; Pulumi Cloud
 * resolves them for the CLI, but neither the offline plan nor a file backend can (`pulumi` says
 * "backend ... does not support environments"). So the tools read each environment from a local
 * file of the same shape, `<dir>/<project>/<env>.yaml` (what `esc env get --definition` prints),
 * following its `imports`. What is emulated: imports in order (later values win, the stack file's
 * own `config:` wins over all), `fn::secret` (a plaintext is a secret with that value; a
 * `{ciphertext}` cannot be decrypted offline and becomes a placeholder, like a `secure:` value).
 * Not emulated, and refused with the key named: providers (`fn::open::*`), other functions and
 * `${...}` interpolation inside pulumiConfig. Values outside pulumiConfig (environmentVariables,
 * files, login providers) are ignored: they configure the CLI's process, not the program.
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

export interface ResolvedEnvironment {
  /** `<project>:<key>` → value (a string, or a list/map as the YAML gave it). */
  values: Record<string, unknown>;
  /** Keys whose value is an `fn::secret`. */
  secretKeys: Set<string>;
  /** Secret keys whose value is ciphertext: no plaintext offline. */
  encrypted: Set<string>;
}

export class EscError extends Error {}

/** The `environment:` imports of a parsed stack file (a list of names), validated. */
export function environmentImports(stackYaml: Record<string, unknown>, file: string): string[] {
  const env = stackYaml.environment;
  if (env === undefined || env === null) return [];
  if (!Array.isArray(env) || env.some((e) => typeof e !== "string" || !/^[\w.-]+\/[\w.-]+$/.test(e))) {
    throw new EscError(`${path.basename(file)}: environment must be a list of ESC environment names <project>/<env>, got ${JSON.stringify(env)}`);
  }
  return env as string[];
}

function namespaced(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function checkOffline(value: unknown, where: string): void {
  if (typeof value === "string" && value.includes("${"))
    throw new EscError(`${where}: interpolation (\${...}) is not resolved offline; give the value itself in the offline environment file`);
  if (Array.isArray(value)) value.forEach((v, i) => checkOffline(v, `${where}[${i}]`));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("fn::")) throw new EscError(`${where}: ${k} is not resolved offline; give the value itself in the offline environment file`);
      checkOffline(v, `${where}.${k}`);
    }
  }
}

/** Resolves `names` in order, from `dir`; `importedBy` names the stack file for messages. */
export function resolveEnvironments(names: string[], dir: string, project: string, importedBy: string): ResolvedEnvironment {
  const out: ResolvedEnvironment = { values: {}, secretKeys: new Set(), encrypted: new Set() };
  const visit = (name: string, chain: string[]) => {
    if (chain.includes(name)) throw new EscError(`ESC environment ${name} imports itself: ${[...chain, name].join(" -> ")}`);
    const file = path.join(dir, `${name}.yaml`);
    if (!fs.existsSync(file)) {
      throw new EscError(
        `ESC environment ${name} (imported by ${chain.at(-1) ?? importedBy}) has no offline copy: expected ${path.relative(process.cwd(), file)} (the ESC definition, as \`esc env get ${name} --definition\` prints it)`,
      );
    }
    const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { imports?: unknown; values?: { pulumiConfig?: Record<string, unknown> } };
    for (const imported of (doc.imports as string[] | undefined) ?? []) visit(imported, [...chain, name]);
    for (const [key, raw] of Object.entries(doc.values?.pulumiConfig ?? {})) {
      const full = namespaced(key, project);
      const where = `ESC environment ${name}: pulumiConfig.${key}`;
      const secret = raw && typeof raw === "object" && !Array.isArray(raw) && "fn::secret" in raw ? (raw as Record<string, unknown>)["fn::secret"] : undefined;
      if (secret !== undefined) {
        out.secretKeys.add(full);
        if (typeof secret === "string") {
          checkOffline(secret, where);
          out.values[full] = secret;
          out.encrypted.delete(full);
        } else if (secret && typeof secret === "object" && "ciphertext" in secret) {
          out.encrypted.add(full);
          delete out.values[full];
        } else {
          throw new EscError(`${where}: fn::secret takes a string (or the ciphertext ESC stores)`);
        }
        continue;
      }
      checkOffline(raw, where);
      out.values[full] = raw;
      out.secretKeys.delete(full);
      out.encrypted.delete(full);
    }
  };
  for (const name of names) visit(name, []);
  return out;
}
