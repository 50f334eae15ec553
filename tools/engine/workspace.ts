/**
 * A throwaway home for the real Pulumi CLI: a file backend, the passphrase secrets provider and a
 * copy of the project (its files linked, its stack files written anew), so nothing is written
 * into the repository and no cloud, Pulumi Cloud or KMS key is needed.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { BOOTSTRAP_DIR, loadStackConfig, StackConfigFiles } from "../plan/stackConfig";
import { DYNAMIC_PLUGIN, dynamicProviderScript, offlinePlugins, pluginScript, ROOT } from "./cache";
import { ensureCli } from "./install";

/** Not a secret: it only guards throwaway test state. */
const TEST_PASSPHRASE = "offline-engine-test-passphrase";

export interface EngineResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface StackInit extends StackConfigFiles {
  /** Config values replacing the stack file's (`<project>:<key>` or `<key>` → value). */
  overrides?: Record<string, unknown>;
  /** `bootstrap`: a stack of bootstrap/ (the second project) instead of the app's. */
  project?: Project;
}

export type Project = "app" | "bootstrap";

/** The file backend's one organization: a StackReference there is `organization/<project>/<stack>`. */
export const BACKEND_ORG = "organization";

export interface WorkspaceOptions {
  /** Keep state here (reused across runs) instead of a fresh temporary directory. */
  dir?: string;
  /** Skip ts-node's type check (`tsc --noEmit` runs in `npm test` already). */
  transpileOnly?: boolean;
  /** Print the CLI's output as it runs. */
  echo?: boolean;
  /** Config set in every stack this workspace creates (`<key>` → value), e.g. a test Sentry's URL. */
  config?: Record<string, unknown>;
  /** Use this file backend (another workspace's `stateDir`) instead of a new one: a second machine, as CI is. */
  stateDir?: string;
  /** Copy the project from here instead of this repository (e.g. an older commit's `git archive`). */
  source?: string;
}

export class EngineWorkspace {
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  private readonly bootstrapped = new Set<string>();

  private constructor(
    readonly dir: string,
    readonly projectDir: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly echo: boolean,
    private readonly config: Record<string, unknown>,
  ) {}

  /** The file backend's directory (hand it to another workspace's `stateDir`). */
  get stateDir(): string {
    return this.env.PULUMI_BACKEND_URL!.replace(/^file:\/\//, "");
  }

  /** Where the CLI runs for a project: the project copy, or its bootstrap/ folder. */
  cwd(project: Project = "app"): string {
    return project === "bootstrap" ? path.join(this.projectDir, "bootstrap") : this.projectDir;
  }

  static async create(opts: WorkspaceOptions = {}): Promise<EngineWorkspace> {
    const cli = await ensureCli();
    const dir = opts.dir ? path.resolve(opts.dir) : fs.mkdtempSync(path.join(os.tmpdir(), "chatbot-engine-"));
    const projectDir = path.join(dir, "project");
    fs.mkdirSync(path.join(dir, "state"), { recursive: true });
    fs.mkdirSync(path.join(dir, "home"), { recursive: true });
    copyProject(projectDir, opts.source);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [cli, process.env.PATH].join(path.delimiter),
      PULUMI_HOME: path.join(dir, "home"),
      PULUMI_BACKEND_URL: `file://${opts.stateDir ?? path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_SELF_MANAGED_STATE_NO_LEGACY_WARNING: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      // A file backend has no ESC and no KMS: tools/preview-stack/environments.ts reads these.
      CHATBOT_ESC_OFFLINE_DIR: path.join(projectDir, "esc"),
      CHATBOT_PREVIEW_SECRETS_PROVIDER: "passphrase",
      ...(opts.transpileOnly ? { PULUMI_NODEJS_TRANSPILE_ONLY: "true" } : {}),
    };
    const ws = new EngineWorkspace(dir, projectDir, env, opts.echo ?? false, opts.config ?? {});
    await ws.installPlugins();
    return ws;
  }

  /**
   * Installs each offline plugin into PULUMI_HOME under the name and version the program's SDK
   * packages ask for, the way `pulumi plugin install` installs a downloaded one.
   */
  private async installPlugins(): Promise<void> {
    for (const plugin of offlinePlugins()) {
      if (fs.existsSync(path.join(this.env.PULUMI_HOME!, "plugins", `resource-${plugin.name}-v${plugin.version}`))) continue;
      const folder = path.join(this.dir, "plugins", plugin.name);
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, `pulumi-resource-${plugin.name}`), pluginScript(plugin.name), { mode: 0o755 });
      await this.must(["plugin", "install", "resource", plugin.name, plugin.version, "--file", folder]);
    }
    // The dynamic provider is a "bundled" plugin: `pulumi plugin install` refuses it, and the engine
    // looks for it beside its own executable, then on PATH. The CLI built here has nothing beside it.
    const bin = path.join(this.dir, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, `pulumi-resource-${DYNAMIC_PLUGIN}`), dynamicProviderScript(), { mode: 0o755 });
    this.env.PATH = [bin, this.env.PATH].join(path.delimiter);
  }

  /** Runs the CLI in the project copy; never throws on a non-zero exit. */
  pulumi(args: string[], opts: { quiet?: boolean; timeoutMs?: number; project?: Project } = {}): Promise<EngineResult> {
    const echo = this.echo && !opts.quiet;
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", [...args, "--non-interactive", "--color", "never"], { cwd: this.cwd(opts.project), env: this.env });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => {
        stdout += d;
        if (echo) process.stdout.write(d);
      });
      child.stderr.on("data", (d) => {
        stderr += d;
        if (echo) process.stderr.write(d);
      });
      const timer = setTimeout(() => child.kill("SIGINT"), opts.timeoutMs ?? 10 * 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ status: code ?? 1, stdout, stderr });
      });
    });
  }

  /** Same, but a non-zero exit is an error that carries the CLI's output. */
  async must(args: string[], project: Project = "app"): Promise<EngineResult> {
    const res = await this.pulumi(args, { quiet: true, project });
    if (res.status !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${res.status}\n${res.stdout}\n${res.stderr}`);
    return res;
  }

  /**
   * Creates the stack from the committed stack file: its config as written (less the KMS secrets
   * provider and the ESC imports, whose values are resolved offline and written in), the
   * passphrase provider, and the secrets set with `pulumi config set-all --secret`.
   * An app stack's `bootstrapStack` is pointed at this backend's organization, and that bootstrap
   * stack is deployed first if this workspace has not yet done so (what an app stack needs before
   * it exists, as in README "Deploying for real").
   */
  async initStack(stack: string, init: StackInit = {}): Promise<void> {
    const project = init.project ?? "app";
    const projectDir = project === "bootstrap" ? BOOTSTRAP_DIR : ROOT;
    const source = init.configFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
    const loaded = loadStackConfig(stack, { ...init, projectDir });
    const yaml = YAML.parse(fs.readFileSync(source, "utf8")) ?? {};
    // A file backend refuses `environment:` imports ("does not support environments"): their
    // values, resolved from the offline copies (tools/plan/esc.ts), are written as stack config.
    const fromEnvironment = Object.fromEntries(
      loaded.fromEnvironment.filter((k) => !loaded.secretKeys.includes(k)).map((k) => [k, typedValue(loaded.config[k])]),
    );
    const config: Record<string, unknown> = { ...fromEnvironment, ...(yaml.config ?? {}) };
    for (const [k, v] of Object.entries({ ...(project === "app" ? this.config : {}), ...init.overrides }))
      config[k.includes(":") ? k : `${loaded.project}:${k}`] = v;
    for (const k of loaded.secretKeys) delete config[k];
    const bootstrapKey = `${loaded.project}:bootstrapStack`;
    if (project === "app" && typeof config[bootstrapKey] === "string") {
      const [, bootstrapProject, bootstrapStack] = String(config[bootstrapKey]).split("/");
      if (!init.overrides?.bootstrapStack) {
        config[bootstrapKey] = `${BACKEND_ORG}/${bootstrapProject}/${bootstrapStack}`;
        await this.ensureBootstrap(bootstrapStack);
      }
    }
    fs.writeFileSync(path.join(this.cwd(project), `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
    await this.must(["stack", "init", stack, "--secrets-provider", "passphrase"], project);
    const secrets = loaded.secretKeys.flatMap((k) => ["--secret", `${k}=${loaded.config[k]}`]);
    if (secrets.length > 0) await this.must(["config", "set-all", "--stack", stack, ...secrets], project);
  }

  /** `pulumi up` of bootstrap/'s stack, once per workspace. */
  async ensureBootstrap(stack: string): Promise<void> {
    if (this.bootstrapped.has(stack)) return;
    this.bootstrapped.add(stack);
    const listed = await this.pulumi(["stack", "ls", "--json"], { quiet: true, project: "bootstrap" });
    const exists = listed.status === 0 && (JSON.parse(listed.stdout || "[]") as { name: string }[]).some((s) => s.name === stack);
    if (!exists) await this.initStack(stack, { project: "bootstrap" });
    await this.must(["up", "--yes", "--skip-preview", "--stack", stack], "bootstrap");
  }

  /** Runs on dispose, before the directory goes (a server the stacks talk to). */
  onDispose(cleanup: () => void | Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async dispose(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) await cleanup();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Config values travel as strings; a list or map goes back into the stack file as YAML. */
function typedValue(value: string): unknown {
  if (!/^[[{]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/**
 * A copy of the project's files (node_modules linked). A copy, not links: TypeScript computes the
 * program's source root from real paths, and the CLI's loader reads tsconfig.json from the
 * project directory. The committed stack files come along (tools read them as templates); a
 * stack the workspace creates gets its own file first (initStack).
 */
function copyProject(projectDir: string, source = ROOT): void {
  fs.mkdirSync(projectDir, { recursive: true });
  for (const entry of fs.readdirSync(source)) {
    if (entry === ".git" || entry === ".tmp" || entry === "node_modules") continue;
    const target = path.join(projectDir, entry);
    if (fs.existsSync(target)) continue;
    fs.cpSync(path.join(source, entry), target, { recursive: true });
  }
  const modules = path.join(projectDir, "node_modules");
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(ROOT, "node_modules"), modules);
}
