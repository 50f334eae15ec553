/** Stack A's config with some keys set to stack B's values: the "flips" plan diff renders. */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { readYaml, rememberYaml, ROOT, stackFile } from "./stackConfig";

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

const documents = new Map<string, { text: string; doc: YAML.Document }>();

/** Stack A's file as a YAML document (comments kept), parsed once per text: a diff flips it ~50 times. */
function stackDocument(file: string): YAML.Document {
  const text = fs.readFileSync(file, "utf8");
  const hit = documents.get(file);
  if (hit?.text === text) return hit.doc.clone();
  const doc = YAML.parseDocument(text);
  documents.set(file, { text, doc });
  return doc.clone();
}

/** Writes stack A's file with the given keys set to stack B's values; returns its path. */
export function flippedStackFile(dir: string, stackA: string, stackB: string, project: string, keys: string[]): string {
  const doc = stackDocument(stackFile(stackA));
  for (const key of keys) {
    const v = rawConfigValue(stackB, project, key);
    if (v.present) doc.setIn(["config", `${project}:${key}`], swapStackNames(v.value, stackA, stackB));
    else doc.deleteIn(["config", `${project}:${key}`]);
  }
  const file = path.join(dir, `Pulumi.${stackA}.${keys.length === 1 ? keys[0] : `${keys.length}-keys`}.yaml`);
  const text = doc.toString();
  fs.writeFileSync(file, text);
  rememberYaml(file, text, doc.toJS());
  return file;
}
