/**
 * The decisions behind `npm run preview-stack`, as plain functions: which stack a PR number
 * names, what config a preview stack gets, how it is tagged and which stacks have expired.
 * Nothing here talks to Pulumi; `automation.ts` does, thinly, and `cli.ts` wires the two.
 */

import { UsageError } from "../cli/args";

/** The Pulumi project name: config keys of the program are `chatbot:<key>`. */
export const PROJECT = "chatbot";
export const STACK_PREFIX = "pr-";
/** Stack the secrets of a preview stack are copied from. */
export const SOURCE_STACK = "staging";
/** How long a preview stack lives after its last `up` unless `--ttl` says otherwise. */
export const DEFAULT_TTL_HOURS = 72;

/** Stack tag names (Pulumi Cloud stack tags: letters, digits, `-`, `_`, `.`). */
export const TAGS = { pr: "preview-pr", createdAt: "preview-created-at", updatedAt: "preview-updated-at", ttlHours: "preview-ttl-hours" } as const;

/** A wrong invocation or input: exit status 2, message on stderr, no Pulumi call made. */
export { UsageError };
/** A refusal after looking at the inputs (missing secrets, bad template): exit status 1. */
export class PreviewStackError extends Error {}

export interface ConfigValue {
  value: string;
  secret?: boolean;
}
export type ConfigMap = Record<string, ConfigValue>;

// ---------------------------------------------------------------------------------------------
// Stack names

/** A PR number is a positive decimal integer without sign, leading zeros or fraction. */
export function parsePrNumber(raw: string | undefined): number {
  if (raw === undefined || !/^[1-9][0-9]*$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`PR number must be a positive integer, got ${JSON.stringify(raw ?? "")}`);
  }
  return Number(raw);
}

export function stackNameFor(pr: number): string {
  if (!Number.isSafeInteger(pr) || pr <= 0) throw new UsageError(`PR number must be a positive integer, got ${pr}`);
  return `${STACK_PREFIX}${pr}`;
}

/**
 * The PR number a stack name stands for, or null when it is not a preview stack. Accepts the
 * fully qualified `org/project/pr-12` form `pulumi stack ls` prints for Pulumi Cloud.
 */
export function prNumberOf(stackName: string): number | null {
  const short = stackName.split("/").pop() ?? "";
  const m = /^pr-([1-9][0-9]*)$/.exec(short);
  return m && Number.isSafeInteger(Number(m[1])) ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Config

/** `telegramBotToken` -> `chatbot:telegramBotToken`; keys that already have a namespace stay. */
export function namespaced(key: string, project = PROJECT): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

function isSecure(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "secure" in (v as object);
}

function configBlock(doc: unknown, file: string): Record<string, unknown> {
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new PreviewStackError(`${file}: expected a YAML map at the top level`);
  const config = (doc as Record<string, unknown>).config;
  if (config === undefined || config === null) return {};
  if (typeof config !== "object" || Array.isArray(config)) throw new PreviewStackError(`${file}: \`config\` must be a map`);
  return config as Record<string, unknown>;
}

/**
 * The config keys that are secrets: every key whose value in the source stack's file
 * (Pulumi.staging.yaml) is `{secure: ...}`, plus every key Pulumi.yaml's `config:` block
 * declares with `secret: true`. Sorted, namespaced.
 */
export function secretKeys(args: { sourceStackFile?: unknown; projectFile?: unknown; project?: string }): string[] {
  const project = args.project ?? PROJECT;
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(configBlock(args.sourceStackFile, `Pulumi.${SOURCE_STACK}.yaml`))) {
    if (isSecure(v)) keys.add(namespaced(k, project));
  }
  for (const [k, v] of Object.entries(configBlock(args.projectFile, "Pulumi.yaml"))) {
    if (typeof v === "object" && v !== null && (v as Record<string, unknown>).secret === true) keys.add(namespaced(k, project));
  }
  return [...keys].sort();
}

/** Config values are strings to the CLI; objects and lists go as JSON (what `getObject` parses). */
export function toConfigString(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

export interface DerivedConfig {
  /** Everything the preview stack gets, namespaced keys, secrets flagged. */
  config: ConfigMap;
  /** Secret keys copied from the source stack (the rest came from the template). */
  copiedSecrets: string[];
  /** Things a person should know (e.g. an encrypted template value that was ignored). */
  notes: string[];
}

/**
 * The config of `pr-<n>`: the plain values of the template (Pulumi.preview.yaml), plus each
 * secret key as a secret, copied from the source stack's (decrypted) config. A template may
 * give a secret key a plain value of its own (e.g. a test bot token); it is set as a secret.
 * `secure:` values in the template are ignored: they are encrypted for another stack.
 * A secret the source stack lacks is an error that names every missing key.
 */
export function derivePreviewConfig(args: {
  template: unknown;
  sourceConfig: ConfigMap;
  secretKeys: string[];
  project?: string;
  /** Keys the stack's own ESC environments supply (./environments.ts): never copied from the source stack. */
  suppliedByEnvironments?: string[];
}): DerivedConfig {
  const project = args.project ?? PROJECT;
  const secrets = new Set(args.secretKeys.map((k) => namespaced(k, project)));
  const config: ConfigMap = {};
  const notes: string[] = [];
  for (const [rawKey, v] of Object.entries(configBlock(args.template, "Pulumi.preview.yaml"))) {
    const key = namespaced(rawKey, project);
    if (isSecure(v)) {
      notes.push(`${key}: encrypted value in Pulumi.preview.yaml ignored (encrypted for another stack)`);
      secrets.add(key);
      continue;
    }
    if (v === null || v === undefined) continue;
    config[key] = secrets.has(key) ? { value: toConfigString(v), secret: true } : { value: toConfigString(v) };
  }
  const copiedSecrets: string[] = [];
  const missing: string[] = [];
  const supplied = new Set((args.suppliedByEnvironments ?? []).map((k) => namespaced(k, project)));
  for (const key of [...secrets].sort()) {
    if (config[key] || supplied.has(key)) continue;
    const src = args.sourceConfig[key];
    if (!src || src.value === undefined) missing.push(key);
    else {
      config[key] = { value: src.value, secret: true };
      copiedSecrets.push(key);
    }
  }
  if (missing.length > 0) {
    throw new PreviewStackError(`stack ${SOURCE_STACK} has no value for secret config ${missing.join(", ")}; set it there or give it in Pulumi.preview.yaml`);
  }
  const sorted: ConfigMap = {};
  for (const k of Object.keys(config).sort()) sorted[k] = config[k];
  return { config: sorted, copiedSecrets, notes };
}

// ---------------------------------------------------------------------------------------------
// Tags and expiry

/**
 * Tags of a preview stack after an `up` at `now`. `created-at` is kept from the existing
 * tags when the stack already exists; `updated-at` moves, so the time-to-live counts from
 * the last push to the PR, and an active PR is not swept.
 */
export function previewTags(pr: number, now: Date, ttlHours: number, existing: Record<string, string> = {}): Record<string, string> {
  if (!(ttlHours > 0)) throw new UsageError(`--ttl must be a positive number of hours, got ${ttlHours}`);
  const createdAt = existing[TAGS.createdAt] && !Number.isNaN(Date.parse(existing[TAGS.createdAt])) ? existing[TAGS.createdAt] : now.toISOString();
  return { [TAGS.pr]: String(pr), [TAGS.createdAt]: createdAt, [TAGS.updatedAt]: now.toISOString(), [TAGS.ttlHours]: String(ttlHours) };
}

export interface StackInfo {
  name: string;
  tags: Record<string, string>;
  /** From `pulumi stack ls` (ISO time), used when the stack has no time tags. */
  lastUpdate?: string;
}

export interface SweepDecision {
  name: string;
  expired: boolean;
  reason: string;
}

const HOUR_MS = 3_600_000;

/**
 * Which preview stacks to destroy at `now`: a `pr-*` stack is expired when its time-to-live
 * (tag `preview-ttl-hours`, else DEFAULT_TTL_HOURS) has passed since its last update (tag
 * `preview-updated-at`, else `preview-created-at`, else the backend's lastUpdate), or, when
 * `olderThanHours` is given, when that last update is at least that many hours ago.
 * Non-preview stacks are not listed; a stack with no known age is kept (and says so).
 */
export function decideSweep(stacks: StackInfo[], now: Date, olderThanHours?: number): SweepDecision[] {
  if (olderThanHours !== undefined && !(olderThanHours >= 0)) throw new UsageError(`--older-than must be a number of hours >= 0, got ${olderThanHours}`);
  const out: SweepDecision[] = [];
  for (const s of stacks) {
    if (prNumberOf(s.name) === null) continue;
    const stamp = [s.tags[TAGS.updatedAt], s.tags[TAGS.createdAt], s.lastUpdate].find((t) => t !== undefined && !Number.isNaN(Date.parse(t)));
    if (stamp === undefined) {
      out.push({ name: s.name, expired: false, reason: "no age information (no preview tags, no last update): kept" });
      continue;
    }
    const ageH = (now.getTime() - Date.parse(stamp)) / HOUR_MS;
    const tagTtl = Number(s.tags[TAGS.ttlHours]);
    const ttl = Number.isFinite(tagTtl) && tagTtl > 0 ? tagTtl : DEFAULT_TTL_HOURS;
    const age = `last update ${stamp}, ${ageH.toFixed(1)} h ago`;
    if (ageH >= ttl) out.push({ name: s.name, expired: true, reason: `${age}, past its time-to-live of ${ttl} h` });
    else if (olderThanHours !== undefined && ageH >= olderThanHours)
      out.push({ name: s.name, expired: true, reason: `${age}, older than ${olderThanHours} h` });
    else out.push({ name: s.name, expired: false, reason: `${age}, within its time-to-live of ${ttl} h` });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------
// The Pulumi CLI

/** The Automation API's failure when no `pulumi` binary is on PATH (`spawn pulumi ENOENT`). */
export function isCliMissing(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message}\n${(err as { stderr?: string }).stderr ?? ""}` : String(err);
  return /ENOENT/.test(text) && /pulumi/.test(text);
}

export const CLI_MISSING_MESSAGE = "preview-stack: the Pulumi CLI is not installed (https://www.pulumi.com/docs/install/)";
