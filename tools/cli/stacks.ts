/** The stacks this repository has a file for, so a misspelt stack name can suggest the right one. */
import * as fs from "fs";
import * as path from "path";
import { unknown } from "./args";

export const ROOT = path.resolve(__dirname, "../..");

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
  if (!stacks.includes(stack)) throw unknown("stack", stack, stacks);
  return stack;
}
