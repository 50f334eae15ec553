/**
 * What the GitHub workflows promise, read from the YAML itself: triggers, least-privilege
 * permissions, current pinned actions, OIDC instead of stored keys, one concurrency group per
 * stack, deploys from main only, fork PRs handled, and the commands each job runs. GitHub's
 * parser and the SchemaStore schemas check the syntax in workflows-syntax.test.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { PINS } from "./support/actionPins";
import {
  actions,
  allJobs,
  assumesAwsRole,
  changesAStack,
  envName,
  files,
  jobsOf,
  logsInToPulumi,
  postsComment,
  ROOT,
  runs,
  Step,
  text,
  usesLines,
  usesOf,
  wf,
} from "./support/workflows";

it("has the six workflows and two composite actions", () => {
  expect(files).toEqual(["deploy.yml", "drift.yml", "pr-stack.yml", "preview.yml", "release.yml", "sweep.yml"]);
  expect(Object.keys(actions)).toEqual(["install", "pulumi"]);
});

it("pins every action by full commit SHA of a verified release, with that tag in a comment", () => {
  const lines = usesLines();
  expect(lines.length).toBeGreaterThan(20);
  for (const { where, line } of lines) {
    const m = /uses:\s*([^@\s]+)(?:@(\S+))?\s*(?:#\s*(\S+))?/.exec(line)!;
    const [, action, ref, tag] = m;
    if (action.startsWith("./")) continue;
    expect({ where, action, ref, tag }).toEqual({ where, action, ref: PINS[action]?.sha ?? "(not a verified action)", tag: PINS[action]?.tag });
  }
  // Every verified pin is used (a stale entry would hide a removed action).
  const used = new Set(lines.map(({ line }) => /uses:\s*([^@\s]+)/.exec(line)![1]));
  expect(Object.keys(PINS).filter((a) => !used.has(a))).toEqual([]);
});

it("runs every pinned action on Node 24 (Node 20 left GitHub's runners on 2026-09-16)", () => {
  for (const [action, pin] of Object.entries(PINS)) expect({ action, runtime: pin.runtime }).toEqual({ action, runtime: "node24" });
});

it("installs the Pulumi CLI at the SDK's exact version, wherever pulumi/actions runs", () => {
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));
  const sdk = lock.packages["node_modules/@pulumi/pulumi"].version;
  const steps = [...actions.pulumi.runs.steps, ...allJobs().flatMap(({ job }) => job.steps)].filter((s) => s.uses?.startsWith("pulumi/actions@"));
  expect(steps.length).toBeGreaterThan(1);
  for (const s of steps) expect(s.with?.["pulumi-version"]).toBe(sdk);
});

it("logs in to Pulumi Cloud by OIDC when PULUMI_ORGANIZATION is set, else with the static token", () => {
  const steps = actions.pulumi.runs.steps;
  const oidc = steps.find((s) => s.uses?.startsWith("pulumi/auth-actions@"))!;
  expect(oidc.if).toBe("inputs.organization != ''");
  expect(oidc.with).toEqual({ organization: "${{ inputs.organization }}", "requested-token-type": "urn:pulumi:token-type:access_token:organization" });
  const fallback = steps.find((s) => s.name?.includes("static fallback"))!;
  expect(fallback.if).toBe("inputs.organization == ''");
  expect(fallback.run).toContain('echo "PULUMI_ACCESS_TOKEN=$TOKEN" >> "$GITHUB_ENV"');
  expect(fallback.run).toMatch(/if \[ -z "\$TOKEN" \][\s\S]*exit 1/);
  // Every job that runs Pulumi logs in through it, and nothing else hands a token to a step.
  for (const { name, job } of allJobs()) {
    // The release tool reads the stack's outputs with `pulumi stack output`.
    const runsPulumi = /\bpulumi |preview-stack -- |release -- /.test(runs(job)) || usesOf(job, "pulumi/actions").length > 0;
    expect({ name, login: logsInToPulumi(job) }).toEqual({ name, login: runsPulumi });
    for (const s of usesOf(job, "./.github/actions/pulumi")) {
      expect(s.with).toEqual({ organization: "${{ vars.PULUMI_ORGANIZATION }}", "access-token": "${{ secrets.PULUMI_ACCESS_TOKEN }}" });
    }
    for (const s of job.steps) expect({ name, env: s.env?.PULUMI_ACCESS_TOKEN }).toEqual({ name, env: undefined });
  }
});

describe.each(files)("%s", (f) => {
  it("grants nothing at the top level", () => {
    expect(wf[f].permissions).toEqual({});
  });

  it("gives every job explicit least-privilege permissions", () => {
    for (const [name, job] of jobsOf(f)) {
      expect({ job: name, permissions: typeof job.permissions }).toEqual({ job: name, permissions: "object" });
      const p = job.permissions as Record<string, string>;
      for (const [k, v] of Object.entries(p)) {
        expect({ job: name, [k]: v }).toEqual({
          job: name,
          [k]: { contents: "read", "id-token": "write", "pull-requests": "write", issues: "write" }[k] ?? "(not allowed)",
        });
      }
      // id-token only where a role or a Pulumi token is got by OIDC; pull-requests: write only where a comment is posted.
      expect({ job: name, idToken: p["id-token"] === "write" }).toEqual({ job: name, idToken: assumesAwsRole(job) || logsInToPulumi(job) });
      expect({ job: name, prWrite: p["pull-requests"] === "write" }).toEqual({ job: name, prWrite: postsComment(job) });
      // issues: write only where the drift issue is kept (tools/drift/report-issue.sh).
      expect({ job: name, issuesWrite: p.issues === "write" }).toEqual({ job: name, issuesWrite: /report-issue\.sh|\bgh issue\b/.test(runs(job)) });
    }
  });

  it("uses no long-lived AWS keys; assumes a role named by an environment variable", () => {
    expect(text[f]).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-session-token/i);
    for (const [, job] of jobsOf(f)) {
      for (const s of usesOf(job, "aws-actions/configure-aws-credentials")) expect(s.with?.["role-to-assume"]).toBe("${{ vars.AWS_ROLE_ARN }}");
    }
  });

  it("reads Pulumi and AWS credentials only in jobs bound to a GitHub environment", () => {
    for (const [name, job] of jobsOf(f)) {
      if (logsInToPulumi(job) || assumesAwsRole(job)) expect({ job: name, environment: envName(job) ?? null }).not.toEqual({ job: name, environment: null });
    }
  });

  it("does not interpolate event data into shell scripts", () => {
    for (const [, job] of jobsOf(f)) for (const s of job.steps) if (s.run) expect(s.run).not.toMatch(/\$\{\{/);
  });

  it("installs through the strict install action (pinned npm, allowScripts enforced by .npmrc)", () => {
    expect(text[f]).not.toMatch(/^\s*-?\s*run: npm (ci|install)\b/m);
    for (const [name, job] of jobsOf(f)) expect({ name, install: usesOf(job, "./.github/actions/install").length }).toEqual({ name, install: 1 });
  });
});

it("the install action pins npm to a version that enforces allowScripts, and .npmrc makes it strict", () => {
  const steps = actions.install.runs.steps;
  expect(steps.map((s) => s.run ?? s.uses?.split("@")[0])).toEqual([
    "actions/setup-node",
    expect.stringMatching(/^npm install --global npm@11\.\d+\.\d+/),
    "npm ci",
  ]);
  expect(steps[0].with).toMatchObject({ "node-version-file": ".nvmrc" });
  expect(fs.readFileSync(path.join(ROOT, ".npmrc"), "utf8")).toMatch(/^strict-allow-scripts=true$/m);
});

describe("one concurrency group per stack, shared by every workflow that changes it", () => {
  /** The group a job's concurrency names for a stack, expressions filled in as GitHub would. */
  const groupFor = (job: Parameters<typeof runs>[0], ctx: { pr?: number; stack?: string }) => {
    const g = typeof job.concurrency === "string" ? job.concurrency : job.concurrency?.group;
    return g?.replace("${{ github.event.pull_request.number }}", String(ctx.pr)).replace("${{ matrix.stack }}", String(ctx.stack));
  };

  it("every job that changes a stack is in a pulumi-stack-<stack> group and never cancelled", () => {
    const changing = allJobs().filter(({ job }) => changesAStack(job));
    expect(changing.map(({ file, name }) => `${file}:${name}`).sort()).toEqual([
      "deploy.yml:prod",
      "deploy.yml:staging",
      "pr-stack.yml:destroy",
      "pr-stack.yml:up",
      "sweep.yml:destroy",
    ]);
    for (const { name, job } of changing)
      expect({ name, c: job.concurrency }).toEqual({ name, c: { group: expect.stringMatching(/^pulumi-stack-/), "cancel-in-progress": false } });
  });

  it("pr-stack's up and destroy and the sweeper's destroy of pr-12 wait for each other", () => {
    const pr = wf["pr-stack.yml"].jobs;
    const sweep = wf["sweep.yml"].jobs.destroy;
    expect(new Set([groupFor(pr.up, { pr: 12 }), groupFor(pr.destroy, { pr: 12 }), groupFor(sweep, { stack: "pr-12" })])).toEqual(
      new Set(["pulumi-stack-pr-12"]),
    );
    expect(groupFor(wf["deploy.yml"].jobs.staging, {})).toBe("pulumi-stack-staging");
    expect(groupFor(wf["deploy.yml"].jobs.prod, {})).toBe("pulumi-stack-prod");
  });

  it("the sweeper lists expired stacks, then destroys each in its own job, re-checked inside the lock", () => {
    const w = wf["sweep.yml"];
    expect(runs(w.jobs.find)).toContain("args=(sweep --dry-run)");
    expect(w.jobs.find.outputs).toEqual({ expired: "${{ steps.find.outputs.expired }}" });
    expect(w.jobs.destroy.strategy?.matrix).toEqual({ stack: "${{ fromJSON(needs.find.outputs.expired) }}" });
    expect(w.jobs.destroy.if).toContain("inputs.dry-run != true");
    expect(runs(w.jobs.destroy)).toContain('args=(sweep --stack "$STACK")');
    expect(w.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
  });
});

describe("fork pull requests: no secrets and a read-only token, so the steps that need them are skipped", () => {
  const SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository";
  it.each(["preview.yml", "pr-stack.yml"])("%s: every comment and credentialed job or step is guarded", (f) => {
    for (const [name, job] of jobsOf(f)) {
      const guarded = (s?: Step) => (job.if ?? "").includes(SAME_REPO) || (s?.if ?? "").includes(SAME_REPO);
      if (logsInToPulumi(job) || assumesAwsRole(job)) expect({ name, guarded: guarded() }).toEqual({ name, guarded: true });
      for (const s of usesOf(job, "marocchino/sticky-pull-request-comment")) expect({ name, guarded: guarded(s) }).toEqual({ name, guarded: true });
    }
  });
  it("the offline plan still reaches a fork's PR, in the job summary", () => {
    expect(runs(wf["preview.yml"].jobs["plan-report"])).toContain('cat plan.md >> "$GITHUB_STEP_SUMMARY"');
  });
});

describe("preview.yml", () => {
  const w = () => wf["preview.yml"];
  it("runs on every pull request, tests on Node 22 and 24, audits code and dependencies", () => {
    expect(Object.keys(w().on)).toEqual(["pull_request"]);
    const job = w().jobs.test;
    expect(job.strategy?.matrix).toEqual({ node: [22, 24] });
    expect(usesOf(job, "./.github/actions/install")[0].with).toEqual({ "node-version": "${{ matrix.node }}" });
    const r = runs(job);
    expect(r).toMatch(/^npm test$/m);
    expect(r).toMatch(/^npm run audit -- staging$/m);
    expect(r).toMatch(/^npm audit --omit=dev --audit-level=critical$/m);
  });
  it("posts the offline Markdown plan as a sticky PR comment", () => {
    const job = w().jobs["plan-report"];
    expect(runs(job)).toMatch(/^npm run plan -- staging --md plan\.md$/m);
    expect(usesOf(job, "marocchino/sticky-pull-request-comment")[0].with).toMatchObject({ path: "plan.md" });
  });
  it("previews staging with the policy pack (tier from the stack's config) and comments on the PR", () => {
    const job = w().jobs["pulumi-preview"];
    const [step] = usesOf(job, "pulumi/actions");
    expect(step.with).toMatchObject({ command: "preview", "stack-name": "staging", policyPacks: "policy", "comment-on-pr": true });
    const i = (s: Step) => job.steps.indexOf(s);
    expect(i(usesOf(job, "aws-actions/configure-aws-credentials")[0])).toBeLessThan(i(step));
    expect(i(usesOf(job, "./.github/actions/pulumi")[0])).toBeLessThan(i(step));
  });
});

describe("pr-stack.yml", () => {
  const w = () => wf["pr-stack.yml"];
  it("creates or updates pr-<number> only with the preview-stack label, destroys it on close", () => {
    const up = w().jobs.up;
    expect(up.if).toContain("contains(github.event.pull_request.labels.*.name, 'preview-stack')");
    expect(up.if).not.toContain('"closed"');
    expect(runs(up)).toMatch(/^npm run preview-stack -- up "\$PR_NUMBER" --policy-pack policy$/m);
    expect(w().jobs.destroy.if).toContain("github.event.action == 'closed'");
    expect(runs(w().jobs.destroy)).toMatch(/^npm run preview-stack -- destroy "\$PR_NUMBER"$/m);
  });
  it("posts the comment preview-stack wrote (plan summary, estimate, URL, time-to-live), and says so when the up failed", () => {
    const up = w().jobs.up;
    const [posted, failed] = usesOf(up, "marocchino/sticky-pull-request-comment");
    expect(posted.if).toBe("steps.stack.outputs.comment-file != ''");
    expect(posted.with).toEqual({ header: "pr-stack", path: "${{ steps.stack.outputs.comment-file }}" });
    expect(failed.if).toBe("failure()");
    expect(String(failed.with?.message)).toContain("A stack that failed to create was destroyed");
    expect(up.steps.findIndex((s) => s === posted)).toBeGreaterThan(up.steps.findIndex((s) => s.id === "stack"));
  });
});

describe("deploy.yml", () => {
  const w = () => wf["deploy.yml"];
  it("deploys from main only: pushes to main, and a dispatch from any other branch is skipped", () => {
    expect(w().on.push).toEqual({ branches: ["main"] });
    expect(Object.keys(w().on).sort()).toEqual(["push", "workflow_dispatch"]);
    for (const job of Object.values(w().jobs)) expect(job.if).toBe("github.ref == 'refs/heads/main'");
  });
  it.each([
    ["staging", "staging"],
    ["prod", "production"],
  ])("%s: environment %s, up with the policy pack, then a smoke check with retries", (stack, env) => {
    const job = w().jobs[stack];
    expect(envName(job)).toBe(env);
    const upIdx = job.steps.findIndex((s) => s.run === `pulumi up --yes --stack ${stack} --policy-pack policy`);
    // pulumi up reports success when ECS rolled the release back; the verify step fails the job then.
    expect(job.steps[upIdx + 1].run).toBe(`npm run release -- verify ${stack}`);
    const smokeIdx = job.steps.findIndex((s) => /curl /.test(s.run ?? ""));
    expect(upIdx).toBeGreaterThanOrEqual(0);
    expect(smokeIdx).toBeGreaterThan(upIdx);
    const smoke = job.steps[smokeIdx].run!;
    expect(smoke).toContain(`pulumi stack output apiUrl --stack ${stack}`);
    expect(smoke).toMatch(/curl --fail\b[\s\S]*--retry \d+[\s\S]*--max-time \d+[\s\S]*\/api\/health/);
    expect(smoke).not.toMatch(/\|\| true/);
    // The certificate's host, never the load balancer's AWS name; skipped (with a notice) only before the first API release.
    expect(smoke).not.toMatch(/albDnsName/);
    expect(smoke).toMatch(
      new RegExp(`if \\[ "\\$\\(pulumi stack output apiReleased --stack ${stack}\\)" != "true" \\]; then\\s+echo "::notice[^\\n]*\\n\\s+exit 0\\n\\s*fi`),
    );
    expect((job.steps[smokeIdx] as Record<string, unknown>)["continue-on-error"]).toBeUndefined();
  });
  it("deploys prod only after staging, behind the production environment's approval", () => {
    expect(w().jobs.prod.needs).toBe("staging");
  });
});

it("no workflow hand-picks a policy pack config: the pack reads each stack's tier itself", () => {
  for (const f of files) expect(text[f]).not.toMatch(/policy-pack-config|policyPackConfigs|policy\/config\//);
});
