/** Stack A's config with some keys set to stack B's values: the "flips" plan diff renders. */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { readYaml, ROOT, stackFile } from "./stackConfig";

function rawConfigValue(stack: string, project: string, key: string): { present: boolean; value?: unknown } {
  const full = `${project}:${key}`;
  const stackCfg = readYaml(stackFile(stack)).config ?? {};
  if (full in stackCfg) return { present: true, value: stackCfg[full] };
  const decl = (readYaml(path.join(ROOT, "Pulumi.yaml")).config ?? {})[key];
  return decl && typeof decl === "object" && "default" in decl ? { present: true, value: decl.default } : { present: false };
}

/**
 * B's value as A would hold it: where B names itself (`chatbot-prod-api` image), A names itself;
 * where B names A (a stack reference), A names B.
 */
export function swapStackNames(value: unknown, stackA: string, stackB: string): unknown {
  if (typeof value !== "string") return value;
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(?<![A-Za-z0-9])(${escape(stackA)}|${escape(stackB)})(?![A-Za-z0-9])`, "g");
  return value.replace(re, (m) => (m === stackA ? stackB : stackA));
}

/** Writes stack A's file with the given keys set to stack B's values; returns its path. */
export function flippedStackFile(dir: string, stackA: string, stackB: string, project: string, keys: string[]): string {
  const doc = YAML.parseDocument(fs.readFileSync(stackFile(stackA), "utf8"));
  for (const key of keys) {
    const v = rawConfigValue(stackB, project, key);
    if (v.present) doc.setIn(["config", `${project}:${key}`], swapStackNames(v.value, stackA, stackB));
    else doc.deleteIn(["config", `${project}:${key}`]);
  }
  const file = path.join(dir, `Pulumi.${stackA}.${keys.length === 1 ? keys[0] : `${keys.length}-keys`}.yaml`);
  fs.writeFileSync(file, doc.toString());
  return file;
}
