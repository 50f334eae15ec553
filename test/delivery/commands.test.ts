/**
 * Every command: --help exits 0 with usage, a misspelt stack, command or flag exits 2 naming the
 * nearest, with one `<tool>:` prefix. --help and a few typos run as a user runs them (tsx, a
 * child process, real exit status; ~3 s each to load); the other typos call each tool's main.
 */
import { spawn } from "child_process";
import * as path from "path";
import { main as auditMain } from "../../tools/audit/cli";
import { main as docsMain } from "../../tools/config-docs/cli";
import { main as planMain } from "../../tools/plan/cli";
import { run as previewRun } from "../../tools/preview-stack/cli";
import { main as backupMain } from "../../jobs/backup/cli";

const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    // No AWS, Pulumi or database variables: nothing here may get as far as using them.
    const child = spawn(TSX, [script, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const PLAN = "tools/plan/cli.ts";
const AUDIT = "tools/audit/cli.ts";
const PREVIEW = "tools/preview-stack/cli.ts";
const DOCS = "tools/config-docs/cli.ts";
const BACKUP = "jobs/backup/cli.ts";
const DBINIT = "jobs/db-init/cli.ts";

const spawned: Record<string, [string, string[]]> = {
  "plan --help": [PLAN, ["--help"]],
  "plan diff -h": [PLAN, ["diff", "-h"]],
  "plan stagin": [PLAN, ["stagin"]],
  "audit --help": [AUDIT, ["--help"]],
  "preview-stack --help": [PREVIEW, ["--help"]],
  "config-docs --help": [DOCS, ["--help"]],
  "backup-job --help": [BACKUP, ["--help"]],
  "backup-job restore --form": [BACKUP, ["restore", "--form", "latest"]],
  "db-init --help": [DBINIT, ["--help"]],
  "db-init --dryrun": [DBINIT, ["--dryrun"]],
};

/** The tools' own mains, with output captured: the same code the entry points call. */
async function inProcess(tool: (out: (s: string) => void, err: (s: string) => void) => Promise<number> | number): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const status = await tool(
    (s) => (stdout += s.endsWith("\n") ? s : `${s}\n`),
    (s) => (stderr += s.endsWith("\n") ? s : `${s}\n`),
  );
  return { status, stdout, stderr };
}

const noPulumi = async () => {
  throw new Error("no Pulumi call may be made on a usage error");
};

const called: Record<string, () => Promise<Result>> = {
  "plan --jsn": () => inProcess((out, err) => planMain(["staging", "--jsn", "x.json"], { out, err })),
  "plan diff prd": async () => {
    const err = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const r = await inProcess((out) => planMain(["diff", "staging", "prd"], { out, err: out }));
      return { ...r, stderr: err.mock.calls.map((c) => `${c.join(" ")}\n`).join("") };
    } finally {
      err.mockRestore();
    }
  },
  "plan --config missing": () => inProcess((out, err) => planMain(["staging", "--config", "no-such-file.yaml"], { out, err })),
  "audit prd": () => inProcess((out, err) => auditMain(["prd"], { out, err, renderPlan: noPulumi })),
  "audit --plna": () => inProcess((out, err) => auditMain(["--plna", "p.json"], { out, err, renderPlan: noPulumi })),
  "preview-stack swep": () => inProcess((out, err) => previewRun(["swep"], { connect: noPulumi, workDir: ROOT, now: () => new Date(), out, err })),
  "preview-stack sweep --dryrun": () =>
    inProcess((out, err) => previewRun(["sweep", "--dryrun"], { connect: noPulumi, workDir: ROOT, now: () => new Date(), out, err })),
  "config-docs --chek": () => inProcess((out, err) => docsMain(["--chek"], ROOT, out, err)),
  "config-docs --check": () => inProcess((out, err) => docsMain(["--check"], ROOT, out, err)),
  "backup-job lst": () => inProcess((out, err) => backupMain(["lst"], {}, { out, err, now: () => new Date() })),
};

const results: Record<string, Result> = {};

beforeAll(async () => {
  for (const [name, call] of Object.entries(called)) results[name] = await call();
  // Two children at a time: the machine has two cores and the other test files share them.
  const names = Object.keys(spawned);
  const next = async (): Promise<void> => {
    const name = names.shift();
    if (!name) return;
    results[name] = await run(...spawned[name]);
    return next();
  };
  await Promise.all([next(), next()]);
}, 180_000);

describe("--help: exit 0, usage on stdout, nothing on stderr", () => {
  it.each([
    ["plan --help", /^usage: npm run plan -- <stack>[\s\S]*--estimate[\s\S]*exit status: 0/],
    ["plan diff -h", /^usage: npm run plan -- diff <stackA> <stackB>[\s\S]*--keys/],
    ["audit --help", /^usage: npm run audit -- <stack>[\s\S]*--plan FILE/],
    ["preview-stack --help", /^usage: npm run preview-stack -- up <pr-number>[\s\S]*sweep/],
    ["config-docs --help", /^usage: npm run config-docs[\s\S]*--check/],
    ["backup-job --help", /^usage: backup-job <command>[\s\S]*restore --from/],
    ["db-init --help", /^usage: db-init \[--dry-run\]/],
  ])("%s", (name, usage) => {
    expect(results[name]).toEqual({ status: 0, stdout: expect.stringMatching(usage), stderr: "" });
  });
});

describe("a misspelt stack, command or flag: exit 2 naming the nearest, one prefix", () => {
  it.each([
    ["plan stagin", /^plan: unknown stack "stagin"; did you mean "staging"\?\nusage: npm run plan/],
    ["plan --jsn", /^plan: unknown option "--jsn"; did you mean "--json"\?\n/],
    ["plan diff prd", /^plan diff: unknown stack "prd"; did you mean "prod"\?\n/],
    ["plan --config missing", /^plan: --config no-such-file.yaml: no such file\n/],
    ["audit prd", /^audit: unknown stack "prd"; did you mean "prod"\?\n/],
    ["audit --plna", /^audit: unknown option "--plna"; did you mean "--plan"\?\n/],
    ["preview-stack swep", /^preview-stack: unknown command "swep"; did you mean "sweep"\?\n/],
    ["preview-stack sweep --dryrun", /^preview-stack: unknown option "--dryrun"; did you mean "--dry-run"\?\n/],
    ["config-docs --chek", /^config-docs: unknown option "--chek"; did you mean "--check"\?\n/],
    ["backup-job lst", /^backup-job: unknown command "lst"; did you mean "list"\?\n/],
    ["backup-job restore --form", /^backup-job restore: unknown option "--form"; did you mean "--from"\?\n/],
    ["db-init --dryrun", /^db-init: unknown option "--dryrun"; did you mean "--dry-run"\?\n/],
  ])("%s", (name, message) => {
    const r = results[name];
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/(\w[\w-]*): \1:/); // no `plan: plan:`
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

it("config-docs --check exits 0 on the committed files and writes nothing", () => {
  expect(results["config-docs --check"]).toEqual({ status: 0, stdout: expect.stringMatching(/up to date/), stderr: "" });
});

it("config-docs --check exits 1 naming the stale file, and writes nothing", () => {
  const fs = require("fs") as typeof import("fs");
  const os = require("os") as typeof import("os");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docs-"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const stale = fs.readFileSync(path.join(ROOT, "README.md"), "utf8").replace("| `chatbot:tier` |", "| `chatbot:tierr` |");
  fs.writeFileSync(path.join(dir, "README.md"), stale);
  const err: string[] = [];
  expect(
    docsMain(
      ["--check"],
      dir,
      () => undefined,
      (s) => err.push(s),
    ),
  ).toBe(1);
  expect(err).toEqual(["config-docs: stale: README.md; run npm run config-docs"]);
  expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toBe(stale);
  fs.rmSync(dir, { recursive: true, force: true });
});
