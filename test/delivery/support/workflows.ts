/** The workflows and composite actions, read once as YAML, with helpers the workflow tests share. */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const WORKFLOWS = path.join(ROOT, ".github", "workflows");
export const ACTIONS = path.join(ROOT, ".github", "actions");

export type Step = { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, unknown>; id?: string; if?: string; name?: string };
export type Job = {
  permissions?: Record<string, string> | string;
  environment?: string | { name: string; url?: string };
  concurrency?: { group: string; "cancel-in-progress"?: boolean } | string;
  needs?: string | string[];
  if?: string;
  strategy?: { matrix?: Record<string, unknown>; "max-parallel"?: number };
  outputs?: Record<string, string>;
  steps: Step[];
};
export type Workflow = { on: Record<string, any>; permissions?: unknown; concurrency?: unknown; jobs: Record<string, Job> };
export type CompositeAction = { inputs?: Record<string, unknown>; runs: { using: string; steps: Step[] } };

export const files = fs
  .readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();
export const text: Record<string, string> = {};
export const wf: Record<string, Workflow> = {};
for (const f of files) {
  text[f] = fs.readFileSync(path.join(WORKFLOWS, f), "utf8");
  wf[f] = YAML.parse(text[f]);
}

export const actionDirs = fs.readdirSync(ACTIONS).sort();
export const actionText: Record<string, string> = {};
export const actions: Record<string, CompositeAction> = {};
for (const d of actionDirs) {
  actionText[d] = fs.readFileSync(path.join(ACTIONS, d, "action.yml"), "utf8");
  actions[d] = YAML.parse(actionText[d]);
}

export const jobsOf = (f: string) => Object.entries(wf[f].jobs);
export const allJobs = () => files.flatMap((f) => jobsOf(f).map(([name, job]) => ({ file: f, name, job })));
export const runs = (job: Job) =>
  job.steps
    .filter((s) => s.run)
    .map((s) => s.run as string)
    .join("\n");
export const usesOf = (job: Job, action: string) => job.steps.filter((s) => s.uses?.split("@")[0] === action);
export const envName = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);
export const assumesAwsRole = (job: Job) => usesOf(job, "aws-actions/configure-aws-credentials").length > 0;
export const logsInToPulumi = (job: Job) => usesOf(job, "./.github/actions/pulumi").length > 0;
export const postsComment = (job: Job) =>
  usesOf(job, "marocchino/sticky-pull-request-comment").length > 0 ||
  usesOf(job, "pulumi/actions").some((s) => s.with?.["comment-on-pr"] === true) ||
  /\bgh pr comment\b/.test(runs(job));
/** A job that changes a stack: `pulumi up`/`destroy`, preview-stack's up or destroy, or a sweep of one stack. */
export const changesAStack = (job: Job) => /\bpulumi (up|destroy)\b|preview-stack -- (up|destroy)\b|args=\(sweep --stack /.test(runs(job));
/** Every `uses:` line of the workflows and composite actions, with where it is. */
export const usesLines = () =>
  [
    ...files.flatMap((f) => text[f].split("\n").map((line) => ({ where: f, line }))),
    ...actionDirs.flatMap((d) => actionText[d].split("\n").map((line) => ({ where: `actions/${d}`, line }))),
  ].filter(({ line }) => /^\s*(-\s*)?uses:/.test(line));
