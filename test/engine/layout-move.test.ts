/**
 * Issue 14 moved every component into a folder per part and renamed the shared job task's type
 * (with an alias). A stack deployed before the move must upgrade in place: this deploys staging
 * from the last commit before the move, then previews the commit that made it, through the real
 * engine. Both commits are pinned, so the test keeps proving that one move whatever comes later.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineWorkspace } from "../../tools/engine/workspace";
import { ENGINE_TIMEOUT, outcome, previewJson } from "../support/engine";

jest.setTimeout(ENGINE_TIMEOUT);

const ROOT = path.resolve(__dirname, "../..");
const BEFORE_MOVE = "1dd971a";
const MOVE = "c7f5032";
// tools/run-task.sh: the db-init runner both commits read from the project at render time.
const PROGRAM = ["infra", "components", "jobs", "Pulumi.yaml", "tsconfig.json", "tools/run-task.sh"];

/** Puts the program files of `commit` in the workspace's project copy. */
function checkout(ws: EngineWorkspace, commit: string): void {
  for (const entry of PROGRAM) fs.rmSync(path.join(ws.projectDir, entry), { recursive: true, force: true });
  const tar = execFileSync("git", ["archive", "--format=tar", commit, ...PROGRAM], { cwd: ROOT, maxBuffer: 256 << 20 });
  execFileSync("tar", ["-x", "-C", ws.projectDir], { input: tar });
}

let ws: EngineWorkspace;
beforeAll(async () => {
  // Both commits predate the Sentry API resources: no fake Sentry, and no config key they do not know.
  ws = await EngineWorkspace.create({ transpileOnly: true });
  checkout(ws, BEFORE_MOVE);
  const stackFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "before-move-")), "Pulumi.staging.yaml");
  fs.writeFileSync(stackFile, execFileSync("git", ["show", `${BEFORE_MOVE}:Pulumi.staging.yaml`], { cwd: ROOT }));
  await ws.initStack("staging", { configFile: stackFile });
});
afterAll(() => ws?.dispose());

describe("the one-folder-per-part move on a deployed stack", () => {
  type State = { urn: string; type: string; id?: string };
  const exported = async (): Promise<State[]> => JSON.parse((await ws.must(["stack", "export", "--stack", "staging"])).stdout).deployment.resources ?? [];
  const byName = (states: State[]) => new Map(states.filter((r) => r.id).map((r) => [`${r.type}::${r.urn.split("::").pop()}`, r]));
  let before: State[];
  let preview: { op: string; urn: string }[];

  beforeAll(async () => {
    expect(outcome(await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "staging"]))).toEqual({ status: 0 });
    before = await exported();
    checkout(ws, MOVE);
    const res = await ws.pulumi(["preview", "--json", "--stack", "staging"]);
    expect(outcome(res)).toEqual({ status: 0 });
    preview = previewJson(res).steps;
  });

  it("previews no change at all", () => {
    expect(preview.filter((s) => s.op !== "same").map((s) => `${s.op} ${s.urn.split("::").slice(2).join("::")}`)).toEqual([]);
  });

  it("keeps every resource's id when applied, the job tasks' children under their new type", async () => {
    expect(outcome(await ws.pulumi(["up", "--yes", "--skip-preview", "--stack", "staging"]))).toEqual({ status: 0 });
    const after = await exported();
    const old = byName(before);
    const moved = byName(after);
    expect([...moved.keys()].sort()).toEqual([...old.keys()].sort());
    expect([...moved].filter(([k, r]) => old.get(k)!.id !== r.id).map(([k]) => k)).toEqual([]);
    // Two job tasks (backup, db-init): their roles, policies, log groups and task definitions.
    expect(after.filter((r) => r.urn.includes("chatbot:shared:JobTask$")).length).toBeGreaterThan(8);
    expect(after.filter((r) => r.urn.includes("chatbot:jobs:JobTask"))).toEqual([]);
  });
});
