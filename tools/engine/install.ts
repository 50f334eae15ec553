/**
 * Finds or builds the Pulumi CLI that matches the SDK. A `pulumi` on PATH of the same version is
 * used as it is. Otherwise the CLI is built from its Go module (github.com/pulumi/pulumi/pkg/v3)
 * as a dependency of tools/engine/cli, with this project's Node.js language host beside it.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cacheRoot, cliDir, COMPLETE_MARKER, isComplete, MODULE_DIR, sdkVersion } from "./cache";

export class EngineInstallError extends Error {}

/** The directory holding `pulumi` (and its language host), installed if need be. */
export async function ensureCli(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<string> {
  const version = sdkVersion();
  const onPath = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.trim() === `v${version}`) {
    return path.dirname(spawnSync("sh", ["-c", "command -v pulumi"], { encoding: "utf8" }).stdout.trim());
  }
  const dir = cliDir();
  if (isComplete(dir)) return dir;
  await build(version, dir, log);
  return dir;
}

function requiredVersion(): string | undefined {
  const mod = fs.readFileSync(path.join(MODULE_DIR, "go.mod"), "utf8");
  return /github\.com\/pulumi\/pulumi\/pkg\/v3 (v[\w.-]+)/.exec(mod)?.[1];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: MODULE_DIR, env, stdio: ["ignore", "pipe", "pipe"] });
    let tail: string[] = [];
    const feed = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n").filter(Boolean)) {
        tail = [...tail.slice(-20), line];
        onLine(line);
      }
    };
    child.stdout.on("data", feed);
    child.stderr.on("data", feed);
    child.on("error", (e) => reject(new EngineInstallError(`${cmd}: ${e.message}`)));
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new EngineInstallError(`\`${cmd} ${args.join(" ")}\` failed (exit ${code}):\n${tail.join("\n")}`)),
    );
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A build killed midway leaves its `.partial-<pid>` folder; it is never used, only removed. */
function removeAbandonedBuilds(dir: string): void {
  const prefix = `${path.basename(dir)}.partial-`;
  for (const entry of fs.readdirSync(path.dirname(dir))) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length));
    if (pid === process.pid || !isRunning(pid)) fs.rmSync(path.join(path.dirname(dir), entry), { recursive: true, force: true });
  }
}

async function build(version: string, dir: string, log: (line: string) => void): Promise<void> {
  if (spawnSync("go", ["version"]).status !== 0) {
    throw new EngineInstallError(
      "no Go toolchain on PATH: install Go >= 1.25 (https://go.dev/doc/install) to build the Pulumi CLI, or put pulumi " + `v${version} on PATH`,
    );
  }
  const required = requiredVersion();
  if (required !== `v${version}`) {
    throw new EngineInstallError(
      `tools/engine/cli/go.mod requires pulumi ${required}, but @pulumi/pulumi is ${version}: ` +
        `run \`cd tools/engine/cli && go get github.com/pulumi/pulumi/pkg/v3@v${version} github.com/pulumi/pulumi/sdk/v3@v${version} && go mod tidy\``,
    );
  }
  fs.mkdirSync(cacheRoot(), { recursive: true });
  removeAbandonedBuilds(dir);
  const tmp = `${dir}.partial-${process.pid}`;
  fs.mkdirSync(tmp);
  const started = Date.now();
  const env = { ...process.env, GOFLAGS: "-mod=readonly" };
  const ldflags = `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${version}`;
  let packages = 0;
  const progress = (line: string) => {
    if (line.startsWith("go: downloading")) log(`engine: ${line}`);
    else if (!line.startsWith("go:") && ++packages % 100 === 0) log(`engine: compiled ${packages} packages (${Math.round((Date.now() - started) / 1000)} s)`);
  };
  try {
    log(`engine: building the Pulumi CLI v${version} from its Go module, once (several minutes on 2 cores)`);
    await run("go", ["mod", "download"], env, progress);
    await run("go", ["build", "-v", "-ldflags", ldflags, "-o", path.join(tmp, "pulumi"), "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"], env, progress);
    log("engine: building the Node.js language host");
    await run("go", ["build", "-ldflags", ldflags, "-o", path.join(tmp, "pulumi-language-nodejs"), "./langhost"], env, progress);
    fs.writeFileSync(path.join(tmp, COMPLETE_MARKER), `v${version} built in ${Math.round((Date.now() - started) / 1000)} s\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    log(`engine: pulumi v${version} ready in ${dir} (${Math.round((Date.now() - started) / 1000)} s)`);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
