/**
 * `npm run release -- rollback <stack> --via pulumi` through the real engine (issue 17, item 2):
 * two releases of staging deployed in a local backend, then the rollback re-deploys the first
 * release's image digests from the stack's own update history, and only the services' task
 * definitions change. (The offline provider gives a replaced task definition the same ARN, so the
 * services' inputs stay as they were; against AWS each service also updates to the new revision.) A bad `--to` fails in one line and deploys nothing.
 */
import { spawn } from "child_process";
import * as path from "path";
import type { EngineWorkspace } from "../../tools/engine/workspace";
import { ENGINE_TIMEOUT, openWorkspace, outcome } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

const KEYS = ["apiImage", "telegramBotImage", "discordBotImage"];
// The committed staging has no release yet (first deploy): two releases of digests in the images' own repositories.
const first = Object.fromEntries(KEYS.map((k, i) => [k, `sha256:${"123"[i].repeat(64)}`]));
const second = Object.fromEntries(KEYS.map((k, i) => [k, `sha256:${"abc"[i].repeat(64)}`]));

let ws: EngineWorkspace;
beforeAll(async () => {
  ws = await openWorkspace();
  await ws.initStack("staging");
});
afterAll(() => ws?.dispose());

const up = () => ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "staging"]);

/** `npm run release -- ...` from the workspace's copy of the project, with its engine environment. */
function release(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [require.resolve("tsx/cli"), path.join(ws.projectDir, "tools/release/cli.ts"), ...args], {
      cwd: ws.projectDir,
      env: ws.env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ status: code ?? 1, stdout, stderr }));
  });
}

interface Deployed {
  urn: string;
  type: string;
  inputs: Record<string, unknown>;
}
async function deployed(): Promise<Map<string, Deployed>> {
  // The task definitions' inputs hold secret ARNs, so the engine stores them encrypted.
  const res = await ws.must(["stack", "export", "--show-secrets", "--stack", "staging"]);
  const resources: Deployed[] = JSON.parse(res.stdout).deployment.resources ?? [];
  return new Map(resources.map((r) => [r.urn, { urn: r.urn, type: r.type, inputs: r.inputs ?? {} }]));
}
const historyLength = async () => JSON.parse((await ws.must(["stack", "history", "--json", "--stack", "staging"])).stdout).length;

describe("rollback through the Pulumi engine", () => {
  let afterSecond: Map<string, Deployed>;

  it("deploys two releases", async () => {
    for (const k of KEYS) await ws.must(["config", "set", "--stack", "staging", `chatbot:${k}`, first[k]]);
    expect(outcome(await up())).toEqual({ status: 0 });
    for (const k of KEYS) await ws.must(["config", "set", "--stack", "staging", `chatbot:${k}`, second[k]]);
    expect(outcome(await up())).toEqual({ status: 0 });
    afterSecond = await deployed();
    expect(await historyLength()).toBe(2);
  });

  it("refuses a digest no release deployed, and a malformed one, in one line, deploying nothing", async () => {
    const before = await historyLength();
    const unknownDigest = await release(["rollback", "staging", "--via", "pulumi", "--to", `sha256:${"9".repeat(64)}`]);
    expect({ status: unknownDigest.status, stdout: unknownDigest.stdout, stderr: unknownDigest.stderr.trim() }).toEqual({
      status: 1,
      stdout: "",
      stderr: `release: sha256:${"9".repeat(64)} was not deployed by any successful update of staging; nothing deployed`,
    });
    const malformed = await release(["rollback", "staging", "--via", "pulumi", "--to", "latest"]);
    expect({ status: malformed.status, stderr: malformed.stderr.trim() }).toEqual({
      status: 1,
      stderr: 'release: --to must be "previous" or sha256:<64 hex>, not "latest"',
    });
    expect(await historyLength()).toBe(before);
    const config = JSON.parse((await ws.must(["config", "--json", "--stack", "staging"])).stdout);
    expect(KEYS.map((k) => config[`chatbot:${k}`].value)).toEqual(KEYS.map((k) => second[k]));
  });

  it("re-deploys the previous release's digests: only the services' task definitions change", async () => {
    const res = await release(["rollback", "staging", "--via", "pulumi"]);
    expect(res.status === 0 ? 0 : `${res.stdout}\n${res.stderr.slice(-3000)}`).toBe(0);
    for (const k of KEYS) expect(res.stdout).toContain(`set chatbot:${k}: ${second[k]} -> ${first[k]}`);
    // The first release is the older of the two successful updates in the stack's history.
    const history = JSON.parse((await ws.must(["stack", "history", "--json", "--stack", "staging"])).stdout) as { startTime: string }[];
    const firstRelease = [...history].sort((a, b) => a.startTime.localeCompare(b.startTime))[0].startTime;
    expect(res.stdout).toContain(`deployed the images of the update of ${new Date(firstRelease).toISOString()}: replace 3, same `);

    const after = await deployed();
    const changed = [...after.values()].filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(afterSecond.get(r.urn)?.inputs));
    // The dynamic providers' default provider (Sentry's) takes the whole stack config as its inputs,
    // so it records the three image keys, and nothing else, as changed.
    const dynamic = changed.filter((r) => r.type === "pulumi:providers:pulumi-nodejs");
    const changedKeys = dynamic.flatMap((r) =>
      Object.keys(r.inputs).filter((k) => JSON.stringify(r.inputs[k]) !== JSON.stringify(afterSecond.get(r.urn)?.inputs[k])),
    );
    expect(changedKeys.sort()).toEqual(KEYS.map((k) => `chatbot:${k}`).sort());
    const resources = changed.filter((r) => !dynamic.includes(r));
    expect(resources.map((r) => r.urn.split("::").pop()).sort()).toEqual(["api-task", "discord-bot-task", "telegram-bot-task"]);
    expect([...after.keys()].sort()).toEqual([...afterSecond.keys()].sort());
    // The stack's config now names the restored images, so the next `pulumi up` keeps them, and
    // what is deployed is exactly what the program makes of them: the engine finds nothing to change.
    const config = JSON.parse((await ws.must(["config", "--json", "--stack", "staging"])).stdout);
    expect(KEYS.map((k) => config[`chatbot:${k}`].value)).toEqual(KEYS.map((k) => first[k]));
    expect(outcome(await ws.pulumi(["preview", "--expect-no-changes", "--stack", "staging"]))).toEqual({ status: 0 });
  });
});
