/**
 * Real servers for the job tests: a throwaway PostgreSQL cluster (Debian's packages) and an
 * S3-compatible server (s3rver from npm), both on loopback only. Started once per jest run
 * by globalSetup; tests find them through the TEST_* environment variables below.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export const PG_SUPERUSER_PASSWORD = "test-master-pw";

export interface TestServers {
  pgDataDir: string;
  pgBinDir: string;
  stopS3: () => Promise<void>;
}

/** The newest installed PostgreSQL's bin directory; .ci/run installs one when missing. */
export function findPgBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))) : [];
  if (versions.length === 0) {
    throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql: run `apt-get install -y postgresql` (bash .ci/run does)");
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], "bin");
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** initdb refuses to run as root, so as root the cluster belongs to the `postgres` user. */
function asPostgres(cmd: string, args: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  const r = spawnSync(file, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
}

export async function startPostgres(): Promise<{ url: string; dataDir: string; binDir: string }> {
  const binDir = findPgBinDir();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "pgtest-"));
  fs.chmodSync(base, 0o777);
  const dataDir = path.join(base, "data");
  const pwFile = path.join(base, "pw");
  fs.writeFileSync(pwFile, PG_SUPERUSER_PASSWORD, { mode: 0o644 });
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres", base]);
  asPostgres(path.join(binDir, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwFile}`, "-E", "UTF8", "--locale=C.UTF-8"]);
  const port = await freePort();
  asPostgres(path.join(binDir, "pg_ctl"), [
    "-D",
    dataDir,
    "-l",
    path.join(base, "log"),
    "-w",
    "-o",
    `-p ${port} -k ${base} -c listen_addresses=127.0.0.1`,
    "start",
  ]);
  return { url: `postgresql://postgres:${PG_SUPERUSER_PASSWORD}@127.0.0.1:${port}/postgres`, dataDir, binDir };
}

export function stopPostgres(dataDir: string, binDir: string): void {
  asPostgres(path.join(binDir, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "stop"]);
}

export async function startS3(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const S3rver = require("s3rver");
  const port = await freePort();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3test-"));
  const server = new S3rver({ port, address: "127.0.0.1", directory, silent: true });
  await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => server.close() };
}

/**
 * moto's S3 server (PyPI `moto[server]`; .ci/run installs it): unlike s3rver it enforces
 * conditional writes (If-None-Match) and lists multipart uploads. Started by the tests that
 * need it, on loopback, and stopped by them.
 */
export async function startMoto(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const { spawn } = await import("child_process");
  const port = await freePort();
  const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto server exited: ${stderr} (pip install "moto[server]")`);
    const up = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) }).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto server did not start within 20s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
