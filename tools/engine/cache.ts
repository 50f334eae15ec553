/**
 * Where the Pulumi CLI built for this project lives: outside the repository, keyed by the SDK
 * version it must match and by a hash of the module that builds it, so an SDK bump or a change
 * to the language host builds anew and a half-written entry is never reused.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "../..");
export const MODULE_DIR = path.join(__dirname, "cli");

/** The @pulumi/pulumi version npm installed: the CLI must be the same release. */
export function sdkVersion(): string {
  return require(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json")).version;
}

function moduleHash(): string {
  const h = createHash("sha256");
  for (const f of ["go.mod", "go.sum", "langhost/main.go"]) h.update(f).update(fs.readFileSync(path.join(MODULE_DIR, f)));
  return h.digest("hex").slice(0, 12);
}

export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "chatbot-infra");
}

/** `<cache>/pulumi-v<version>-<hash>`: holds `pulumi`, `pulumi-language-nodejs` and a `complete` marker. */
export function cliDir(): string {
  return path.join(cacheRoot(), `pulumi-v${sdkVersion()}-${moduleHash()}`);
}

export const COMPLETE_MARKER = "complete";

export function isComplete(dir: string): boolean {
  return fs.existsSync(path.join(dir, COMPLETE_MARKER)) && fs.existsSync(path.join(dir, "pulumi"));
}

/** The provider packages the program uses, each served by an offline plugin of the same name. */
export const PROVIDER_PACKAGES: Record<string, string> = {
  aws: "@pulumi/aws",
  random: "@pulumi/random",
  docker: "@pulumi/docker",
  command: "@pulumi/command",
  sentry: "@pulumiverse/sentry",
};

export function offlinePlugins(): { name: string; version: string }[] {
  return Object.entries(PROVIDER_PACKAGES).map(([name, pkg]) => ({ name, version: require(path.join(ROOT, "node_modules", pkg, "package.json")).version }));
}

/**
 * The plugin the engine starts for dynamic resources (`pulumi-nodejs:dynamic:Resource`, e.g. the
 * Sentry API resources): the SDK's own dynamic provider, as Pulumi's release ships it beside the
 * CLI (sdk/nodejs/dist/pulumi-resource-pulumi-nodejs). It is not an offline stand-in: it runs the
 * provider code serialized into the stack, so it talks to whatever the program points it at.
 * The engine starts it in the program's directory, where `@pulumi/pulumi` resolves.
 */
export const DYNAMIC_PLUGIN = "pulumi-nodejs";

export function dynamicProviderScript(): string {
  return (
    "#!/bin/sh\n# The Node.js SDK's dynamic provider (@pulumi/pulumi/cmd/dynamic-provider), resolved from the program's directory.\n" +
    'exec node "$(node -e "process.stdout.write(require.resolve(\'@pulumi/pulumi/cmd/dynamic-provider\'))")" "$@"\n'
  );
}

/** The executable the engine starts for a plugin: Node with tsx, serving plugins/serve.ts. */
export function pluginScript(name: string): string {
  const loader = path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs");
  return (
    `#!/bin/sh\n# Offline stand-in for the ${name} provider plugin (tools/engine/plugins/serve.ts).\n` +
    `exec node --import "file://${loader}" "${path.join(__dirname, "plugins", "serve.ts")}" ${name} "$@"\n`
  );
}
