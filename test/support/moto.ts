/**
 * moto's server (`pip install "moto[server]"`; .ci/run installs it) on loopback, for the release
 * tool's ECS calls. One per test file: started in beforeAll, stopped by its pid in afterAll.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import { freePort } from "./servers";

export interface Moto {
  endpoint: string;
  stop: () => void;
}

/** Fails with the install command when moto's server is missing, rather than skipping. */
export async function startMoto(env: Record<string, string> = {}): Promise<Moto> {
  const probe = spawnSync("python3", ["-c", "import moto.server, flask"], { encoding: "utf8" });
  if (probe.status !== 0) throw new Error('moto\'s server is not installed: pip install "moto[server]" (bash .ci/run does)');
  const port = await freePort();
  const child: ChildProcess = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, ...env },
    stdio: "ignore",
  });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${endpoint}/moto-api/`);
      return {
        endpoint,
        stop: () => {
          if (child.pid) process.kill(child.pid);
        },
      };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (child.pid) process.kill(child.pid);
  throw new Error(`moto's server did not answer on ${endpoint}`);
}
