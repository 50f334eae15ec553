/** The `--policy-pack` arguments for a stack: the pack in policy/ with the config of the stack's tier. */
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig } from "../plan/stackConfig";
import { ROOT } from "./cache";

export function policyPackArgs(stack: string, configFile?: string): string[] {
  const cfg = loadStackConfig(stack, { configFile });
  const tier = cfg.config[`${cfg.project}:tier`];
  const file = path.join(ROOT, "policy", "config", `${tier}.json`);
  if (!fs.existsSync(file)) throw new Error(`stack ${stack} has tier "${tier}", and policy/config/${tier}.json does not exist`);
  return ["--policy-pack", path.join(ROOT, "policy"), "--policy-pack-config", file];
}
