/** The stacks this repository has a file for, so a misspelt stack name can suggest the right one. */
import * as fs from "fs";
import * as path from "path";
import { unknown } from "./args";

export const ROOT = path.resolve(__dirname, "../..");

/** `pr-<n>`: a pull request's preview stack (tools/preview-stack), rendered from Pulumi.preview.yaml. */
export const PR_STACK = /^pr-[1-9][0-9]*$/;

export function knownStacks(root = ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => !!s)
    .sort();
}

/** Throws a UsageError naming the nearest stack when Pulumi.<stack>.yaml does not exist. */
export function requireStack(stack: string, root = ROOT): string {
  const stacks = knownStacks(root);
  // A PR's stack renders from the template every pr-<n> stack is created from.
  if (PR_STACK.test(stack) && stacks.includes("preview")) return stack;
  if (!stacks.includes(stack)) throw unknown("stack", stack, stacks);
  return stack;
}
