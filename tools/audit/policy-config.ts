/**
 * Writes policy/config/<tier>.json, the policy config of a published pack's policy group
 * (`pulumi policy enable <org>/chatbot <version> --config policy/config/<tier>.json`), where no
 * stack file is at hand; a local `--policy-pack policy` reads the stack's own tier instead.
 * @pulumi/policy config is per policy, so each file sets `{ tier }` for every policy of the pack.
 *
 *   npx tsx tools/audit/policy-config.ts    # rewrite the three files
 */
import * as fs from "fs";
import * as path from "path";
import { rules, TIERS, type Tier } from "../../policy/rules";

export const CONFIG_DIR = path.resolve(__dirname, "..", "..", "policy", "config");

export function policyPackConfig(tier: Tier): string {
  const config = Object.fromEntries(rules.map((r) => [r.name, { tier }]));
  return JSON.stringify(config, null, 2) + "\n";
}

if (require.main === module) {
  fs.mkdirSync(CONFIG_DIR, { recursive: true });
  for (const tier of TIERS) fs.writeFileSync(path.join(CONFIG_DIR, `${tier}.json`), policyPackConfig(tier));
  console.log(`wrote ${TIERS.map((t) => `policy/config/${t}.json`).join(", ")}`);
}
