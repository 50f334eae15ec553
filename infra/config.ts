import * as pulumi from "@pulumi/pulumi";
import { ConfigError, SecretName, Settings, validateConfig } from "./config/validate";

export { ConfigError } from "./config/validate";

/** The one typed, validated view of stack config. Built before any resource is declared. */
export interface StackConfig extends Settings {
  project: string;
  stack: string;
  /** `<project>-<stack>`: the start of every physical name. */
  namePrefix: string;
  /** Secrets stay Outputs marked secret from here to the resource that consumes them. */
  secrets: Record<SecretName, pulumi.Output<string>>;
}

// isConfigSecret is exported by the runtime but missing from its typings.
const runtimeConfig = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };

export function loadConfig(): StackConfig {
  const project = pulumi.getProject();
  const stack = pulumi.getStack();
  const raw = pulumi.runtime.allConfig();
  const secretKeys = new Set(Object.keys(raw).filter((k) => runtimeConfig.isConfigSecret(k)));
  let validated;
  try {
    validated = validateConfig(project, stack, raw, secretKeys);
  } catch (e) {
    // RunError makes the CLI print the message alone, without a stack trace.
    if (e instanceof ConfigError) throw Object.assign(new pulumi.RunError(e.message), { issues: e.issues });
    throw e;
  }
  const secrets = Object.fromEntries(Object.entries(validated.secrets).map(([k, v]) => [k, pulumi.secret(v)])) as Record<SecretName, pulumi.Output<string>>;
  return { ...validated.settings, project, stack, namePrefix: `${project}-${stack}`, secrets };
}
