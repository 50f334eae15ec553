/**
 * What the GitHub workflows promise, read from the YAML itself: triggers, least-privilege
 * permissions, pinned actions, OIDC instead of AWS keys, and the commands each job runs.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const DIR = path.resolve(__dirname, "..", "..", ".github", "workflows");

/**
 * Actions allowed on a version tag because their commit SHA could not be verified offline
 * when the workflows were written. Pin them (`uses: owner/repo@<sha> # vX.Y.Z`) and delete
 * the entry; nothing else may use a tag.
 */
const UNVERIFIED_TAG_PINS: Record<string, string> = { "pulumi/actions": "v6" };

type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown>; id?: string; if?: string };
type Job = {
  permissions?: Record<string, string> | string;
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  needs?: string | string[];
  if?: string;
  steps: Step[];
};
type Workflow = { on: Record<string, any>; permissions?: unknown; concurrency?: unknown; jobs: Record<string, Job> };

const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const text: Record<string, string> = {};
const wf: Record<string, Workflow> = {};
for (const f of files) {
  text[f] = fs.readFileSync(path.join(DIR, f), "utf8");
  wf[f] = YAML.parse(text[f]);
}
const jobsOf = (f: string) => Object.entries(wf[f].jobs);
const runs = (job: Job) => job.steps.filter((s) => s.run).map((s) => s.run as string).join("\n");
const usesOf = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);
const envName = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);
const assumesAwsRole = (job: Job) => usesOf(job, "aws-actions/configure-aws-credentials").length > 0;
const postsComment = (job: Job) =>
  usesOf(job, "marocchino/sticky-pull-request-comment").length > 0 ||
  usesOf(job, "pulumi/actions").some((s) => s.with?.["comment-on-pr"] === true) ||
  /\bgh pr comment\b/.test(runs(job));

it("has the six workflows", () => {
  expect(files).toEqual(["deploy.yml", "drift.yml", "pr-stack.yml", "preview.yml", "release.yml", "sweep.yml"]);
});

describe.each(files)("%s", (f) => {
  it("grants nothing at the top level beyond contents: read", () => {
    const p = wf[f].permissions;
    expect(p === undefined ? "missing" : p).not.toBe("missing");
    expect([{}, { contents: "read" }]).toContainEqual(p);
  });

  it("gives every job explicit least-privilege permissions", () => {
    for (const [name, job] of jobsOf(f)) {
      expect({ job: name, permissions: typeof job.permissions }).toEqual({ job: name, permissions: "object" });
      const p = job.permissions as Record<string, string>;
      for (const [k, v] of Object.entries(p)) {
        expect({ job: name, [k]: v }).toEqual({ job: name, [k]: { contents: "read", "id-token": "write", "pull-requests": "write", issues: "write" }[k] ?? "(not allowed)" });
      }
      // id-token only where the AWS role is assumed; pull-requests: write only where a comment is posted.
      expect({ job: name, idToken: p["id-token"] === "write" }).toEqual({ job: name, idToken: assumesAwsRole(job) });
      expect({ job: name, prWrite: p["pull-requests"] === "write" }).toEqual({ job: name, prWrite: postsComment(job) });
      // issues: write only where the drift issue is kept (tools/drift/report-issue.sh).
      expect({ job: name, issuesWrite: p.issues === "write" }).toEqual({ job: name, issuesWrite: /report-issue\.sh|\bgh issue\b/.test(runs(job)) });
    }
  });

  it("pins every action by full commit SHA with a version comment (or is a listed exception)", () => {
    const lines = text[f].split("\n").filter((l) => /^\s*(-\s*)?uses:/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const m = /uses:\s*([^@\s]+)@(\S+)(.*)$/.exec(line);
      expect(m).not.toBeNull();
      const [, action, ref, rest] = m!;
      if (action.startsWith("./")) continue;
      if (UNVERIFIED_TAG_PINS[action] === ref) continue;
      expect({ line: line.trim(), sha: /^[0-9a-f]{40}$/.test(ref), comment: /#\s*v\d+(\.\d+)*/.test(rest) }).toEqual({ line: line.trim(), sha: true, comment: true });
    }
  });

  it("uses no long-lived AWS keys; assumes a role from an environment variable or secret", () => {
    expect(text[f]).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-session-token/i);
    for (const [, job] of jobsOf(f)) {
      for (const s of usesOf(job, "aws-actions/configure-aws-credentials")) {
        expect(s.with?.["role-to-assume"]).toMatch(/^\$\{\{\s*(vars|secrets)\.[A-Z_]+\s*\}\}$/);
      }
    }
  });

  it("reads Pulumi and AWS credentials only in jobs bound to a GitHub environment", () => {
    for (const [name, job] of jobsOf(f)) {
      const usesCreds = JSON.stringify(job).includes("PULUMI_ACCESS_TOKEN") || assumesAwsRole(job);
      if (usesCreds) expect({ job: name, environment: envName(job) ?? null }).not.toEqual({ job: name, environment: null });
    }
  });

  it("does not interpolate event data into shell scripts", () => {
    for (const [, job] of jobsOf(f)) {
      for (const s of job.steps) if (s.run) expect(s.run).not.toMatch(/\$\{\{/);
    }
  });
});

describe("preview.yml", () => {
  const w = () => wf["preview.yml"];
  it("runs on every pull request", () => {
    expect(Object.keys(w().on)).toEqual(["pull_request"]);
    expect(w().on.pull_request).toBeNull();
  });
  it("installs, tests and audits staging", () => {
    const r = runs(w().jobs.test);
    expect(r).toMatch(/^npm ci$/m);
    expect(r).toMatch(/^npm test$/m);
    expect(r).toMatch(/^npm run audit -- staging$/m);
  });
  it("posts the offline Markdown plan as a sticky PR comment", () => {
    const job = w().jobs["plan-report"];
    expect(runs(job)).toMatch(/^npm run plan -- staging --md plan\.md$/m);
    expect(usesOf(job, "marocchino/sticky-pull-request-comment")[0].with).toMatchObject({ path: "plan.md" });
  });
  it("previews staging with the policy pack and comments on the PR", () => {
    const job = w().jobs["pulumi-preview"];
    const [step] = usesOf(job, "pulumi/actions");
    expect(step.with).toMatchObject({
      command: "preview",
      "stack-name": "staging",
      policyPacks: "policy",
      policyPackConfigs: "policy/config/staging.json",
      "comment-on-pr": true,
    });
    expect(step.env?.PULUMI_ACCESS_TOKEN).toBe("${{ secrets.PULUMI_ACCESS_TOKEN }}");
    const i = (s: Step) => job.steps.indexOf(s);
    expect(i(usesOf(job, "aws-actions/configure-aws-credentials")[0])).toBeLessThan(i(step));
  });
});

describe("pr-stack.yml", () => {
  const w = () => wf["pr-stack.yml"];
  it("reacts to PRs opening, updating, reopening, labels and closing", () => {
    expect(w().on.pull_request.types).toEqual(expect.arrayContaining(["opened", "synchronize", "reopened", "closed"]));
  });
  it("creates or updates pr-<number> only with the preview-stack label", () => {
    const job = w().jobs.up;
    expect(job.if).toContain("contains(github.event.pull_request.labels.*.name, 'preview-stack')");
    for (const a of ["opened", "synchronize", "reopened"]) expect(job.if).toContain(`"${a}"`);
    expect(job.if).not.toContain('"closed"');
    expect(runs(job)).toMatch(/^npm run preview-stack -- up "\$PR_NUMBER"/m);
    expect(job.steps.find((s) => s.run?.includes("preview-stack -- up"))!.env?.PR_NUMBER).toBe("${{ github.event.pull_request.number }}");
  });
  it("destroys the stack when the PR closes", () => {
    const job = w().jobs.destroy;
    expect(job.if).toContain("github.event.action == 'closed'");
    expect(runs(job)).toMatch(/^npm run preview-stack -- destroy "\$PR_NUMBER"$/m);
  });
  it("never runs two operations on one PR's stack at once", () => {
    for (const job of [w().jobs.up, w().jobs.destroy]) {
      expect(job.concurrency).toEqual({ group: "pr-stack-${{ github.event.pull_request.number }}", "cancel-in-progress": false });
    }
  });
});

describe("sweep.yml", () => {
  it("runs on a schedule and on demand, and sweeps", () => {
    const w = wf["sweep.yml"];
    expect(w.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(Object.keys(w.on)).toEqual(expect.arrayContaining(["schedule", "workflow_dispatch"]));
    expect(runs(w.jobs.sweep)).toContain("npm run preview-stack -- ");
    expect(runs(w.jobs.sweep)).toContain("args=(sweep)");
    expect(runs(w.jobs.sweep)).toContain('--older-than "$OLDER_THAN"');
  });
});

describe("deploy.yml", () => {
  const w = () => wf["deploy.yml"];
  it("deploys on push to main", () => {
    expect(w().on.push).toEqual({ branches: ["main"] });
    expect(Object.keys(w().on)).not.toContain("pull_request");
  });
  it.each([
    ["staging", "staging", "deploy-staging"],
    ["prod", "production", "deploy-prod"],
  ])("%s: environment %s, serialized, up with the policy pack, then a smoke check with retries", (jobName, env, group) => {
    const job = w().jobs[jobName];
    const stack = jobName;
    expect(envName(job)).toBe(env);
    expect(job.concurrency).toEqual({ group, "cancel-in-progress": false });
    const upIdx = job.steps.findIndex((s) => /^pulumi up --yes\b/.test(s.run ?? ""));
    expect(upIdx).toBeGreaterThanOrEqual(0);
    // pulumi up reports success when ECS rolled the release back; the verify step fails the job then.
    expect(job.steps[upIdx + 1].run).toBe(`npm run release -- verify ${stack}`);
    const up = job.steps[upIdx].run!;
    expect(up).toContain(`--stack ${stack}`);
    expect(up).toContain("--policy-pack policy");
    const smokeIdx = job.steps.findIndex((s) => /curl /.test(s.run ?? ""));
    expect(smokeIdx).toBeGreaterThan(upIdx);
    const smoke = job.steps[smokeIdx].run!;
    expect(smoke).toContain(`pulumi stack output apiUrl --stack ${stack}`);
    expect(smoke).toMatch(/curl --fail\b/);
    expect(smoke).toMatch(/--retry \d+/);
    expect(smoke).toMatch(/--max-time \d+/);
    expect(smoke).toContain("/api/health");
    expect(smoke).not.toMatch(/\|\| true|continue-on-error/);
    expect((job.steps[smokeIdx] as Record<string, unknown>)["continue-on-error"]).toBeUndefined();
  });
  it("deploys prod only after staging, behind the production environment's approval", () => {
    expect(w().jobs.prod.needs).toBe("staging");
    expect(envName(w().jobs.prod)).toBe("production");
  });
});

describe("policy pack config files the workflows name", () => {
  it("exist, and each stack is checked with its own tier's config", () => {
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");
    const root = path.resolve(__dirname, "../..");
    const text = fs.readdirSync(path.join(root, ".github/workflows")).map((f) => fs.readFileSync(path.join(root, ".github/workflows", f), "utf8")).join("\n");
    const named = [...text.matchAll(/policy\/config\/[\w-]+\.json/g)].map((m) => m[0]);
    expect(new Set(named)).toEqual(new Set(["policy/config/staging.json", "policy/config/production.json", "policy/config/preview.json"]));
    for (const file of named) expect(fs.existsSync(path.join(root, file))).toBe(true);
  });
});
