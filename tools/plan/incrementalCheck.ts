/**
 * tsx tools/plan/incrementalCheck.ts <stack> <key>=<value> [...]
 *
 * Renders the stack with each override both ways, incrementally (tools/plan/incremental.ts) and
 * in full, and prints as JSON what differs between the two: nothing, if replaying components is
 * sound for that change. A separate process because the incremental renderer loads the program
 * through Node's module cache, which jest replaces with its own.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { incrementalRenderer } from "./incremental";
import { renderStack } from "./render";
import { stackFile } from "./stackConfig";
import { Plan } from "./types";

export interface CheckResult {
  override: string;
  resources: number;
  /** URNs whose record differs (or exists on one side only), and "(outputs)" if the outputs differ. */
  mismatches: string[];
  constructed: number;
  replayed: number;
}

function mismatches(a: Plan, b: Plan): string[] {
  const byUrn = (p: Plan) => new Map(p.resources.map((r) => [r.urn, JSON.stringify(r)]));
  const [ma, mb] = [byUrn(a), byUrn(b)];
  const urns = [...new Set([...ma.keys(), ...mb.keys()])].filter((u) => ma.get(u) !== mb.get(u));
  return JSON.stringify(a.outputs) === JSON.stringify(b.outputs) ? urns : [...urns, "(outputs)"];
}

async function main(stack: string, overrides: string[]): Promise<CheckResult[]> {
  Error.stackTraceLimit = 1;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-incremental-"));
  const incremental = incrementalRenderer();
  await incremental({ stack });
  const out: CheckResult[] = [];
  try {
    for (const override of overrides) {
      const [key, ...rest] = override.split("=");
      const doc = YAML.parseDocument(fs.readFileSync(stackFile(stack), "utf8"));
      doc.setIn(["config", `chatbot:${key}`], YAML.parse(rest.join("=")));
      const configFile = path.join(dir, `Pulumi.${stack}.${key}.yaml`);
      fs.writeFileSync(configFile, doc.toString());
      const before = { ...incremental.stats };
      const fast = await incremental({ stack, configFile });
      const full = await renderStack({ stack, configFile });
      out.push({
        override,
        resources: full.plan.resources.length,
        mismatches: mismatches(full.plan, fast.plan),
        constructed: incremental.stats.constructed - before.constructed,
        replayed: incremental.stats.replayed - before.replayed,
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

if (require.main === module) {
  const [stack, ...overrides] = process.argv.slice(2);
  main(stack, overrides).then(
    (r) => console.log(JSON.stringify(r)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
