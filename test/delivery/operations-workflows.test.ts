/**
 * The day-2 workflows (issue 17): drift detection keeps one issue per stack, and releases can be
 * verified or rolled back on demand. The issue bookkeeping runs for real, against a fake `gh`.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (f: string) => YAML.parse(fs.readFileSync(path.join(ROOT, ".github/workflows", f), "utf8"));

describe("drift.yml", () => {
  const w = read("drift.yml");
  const job = w.jobs.drift;
  it("runs every day and on demand, for staging and prod, each in its own read-only environment", () => {
    expect(w.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
    expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(job.strategy.matrix.include).toEqual([
      { stack: "staging", environment: "drift-staging" },
      { stack: "prod", environment: "drift-prod" },
    ]);
    expect(job.strategy["fail-fast"]).toBe(false);
    expect(job.environment).toBe("${{ matrix.environment }}");
    // The deploy's group: a check never reads a stack while it is being deployed.
    expect(job.concurrency).toEqual({ group: "pulumi-stack-${{ matrix.stack }}", "cancel-in-progress": false });
  });
  it("previews with --refresh --expect-no-changes and hands the exit status to the issue step", () => {
    const preview = job.steps.find((s: any) => s.id === "preview");
    expect(preview.run).toContain('pulumi preview --refresh --expect-no-changes --diff --non-interactive --stack "$STACK"');
    expect(preview.run).toContain('echo "status=$?" >> "$GITHUB_OUTPUT"');
    const report = job.steps[job.steps.indexOf(preview) + 1];
    expect(report.run).toBe('bash tools/drift/report-issue.sh "$STACK" "$STATUS" preview.txt');
    expect(report.env).toMatchObject({ STATUS: "${{ steps.preview.outputs.status }}", GH_TOKEN: "${{ github.token }}" });
  });
});

describe("release.yml", () => {
  const w = read("release.yml");
  const job = w.jobs.release;
  it("is dispatched by hand with the stack, verify or rollback, and the target", () => {
    expect(Object.keys(w.on)).toEqual(["workflow_dispatch"]);
    expect(w.on.workflow_dispatch.inputs.stack.options).toEqual(["staging", "prod"]);
    expect(w.on.workflow_dispatch.inputs.action.options).toEqual(["verify", "rollback"]);
    expect(w.on.workflow_dispatch.inputs.to.default).toBe("previous");
  });
  it("rolls prod back only in the production environment, serialised with deploys, then verifies", () => {
    expect(job.environment).toBe("${{ inputs.stack == 'prod' && 'production' || 'staging' }}");
    expect(job.concurrency).toEqual({ group: "pulumi-stack-${{ inputs.stack }}", "cancel-in-progress": false });
    const step = job.steps.find((s: any) => s.name === "npm run release");
    expect(step.run).toContain('npm run release -- "${args[@]}"');
    expect(step.run).toContain('npm run release -- verify "$STACK"');
    expect(step.env).toMatchObject({ STACK: "${{ inputs.stack }}", ACTION: "${{ inputs.action }}", TO: "${{ inputs.to }}" });
  });
});

describe("tools/drift/report-issue.sh", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drift-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  // A fake gh: logs each call, answers `issue list` with $FAKE_OPEN_ISSUE (empty: none open).
  fs.writeFileSync(
    path.join(dir, "gh"),
    '#!/usr/bin/env bash\necho "gh $*" >> "$GH_LOG"\nif [ "$1 $2" = "issue list" ]; then [ -n "${FAKE_OPEN_ISSUE:-}" ] && echo "$FAKE_OPEN_ISSUE"; fi\nexit 0\n',
    { mode: 0o755 },
  );
  const output = path.join(dir, "preview.txt");
  fs.writeFileSync(
    output,
    "~ aws:ecs/service:Service api-service update [diff: ~desiredCount]\nResources: 1 to update\nerror: no changes were expected but changes were proposed\n",
  );

  function run(status: string, openIssue: string): string[] {
    const log = path.join(dir, `log-${Math.random().toString(36).slice(2)}`);
    const r = spawnSync("bash", [path.join(ROOT, "tools/drift/report-issue.sh"), "prod", status, output], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${dir}:${process.env.PATH}`, GH_LOG: log, FAKE_OPEN_ISSUE: openIssue, RUN_URL: "https://github.example/run/1" },
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    return fs.existsSync(log)
      ? fs
          .readFileSync(log, "utf8")
          .trim()
          .split("\n")
          .map((l) => l.split(" --body")[0])
      : [];
  }

  it("opens one labelled issue on drift when none is open", () => {
    const calls = run("255", "");
    expect(calls[0]).toMatch(/^gh issue list --state open --label drift --search "Drift: stack prod" in:title/);
    expect(calls.slice(1)).toEqual([
      "gh label create drift --color D93F0B --description Stack resources differ from the code --force",
      "gh issue create --title Drift: stack prod --label drift",
    ]);
  });
  it("comments on the open issue instead of opening another", () => {
    expect(run("255", "42").slice(1)).toEqual(["gh issue comment 42"]);
  });
  it("closes the open issue once the stack matches the code, and does nothing when there is none", () => {
    expect(run("0", "42").slice(1)).toEqual(["gh issue comment 42", "gh issue close 42"]);
    expect(run("0", "").slice(1)).toEqual([]);
  });
});
