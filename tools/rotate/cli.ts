import * as path from "path";
import { rotate, RotateError } from "./rotate";
import { stackFile } from "../plan/stackConfig";

const USAGE = "usage: npm run rotate -- <stack> <credential|config secret> [--finish] [--config FILE]";

function main(argv: string[]): number {
  const flags = new Set(argv.filter((a) => a === "--finish"));
  const i = argv.indexOf("--config");
  const file = i >= 0 ? path.resolve(argv[i + 1] ?? "") : undefined;
  const [stack, name] = argv.filter((a, j) => !a.startsWith("--") && (i < 0 || j !== i + 1));
  if (!stack || !name) {
    console.error(USAGE);
    return 2;
  }
  try {
    const result = rotate(file ?? stackFile(stack), stack, name, { finish: flags.has("--finish") });
    for (const c of result.changed) console.log(`wrote ${c}`);
    console.log("next:");
    for (const n of result.next) console.log(`  ${n}`);
    return 0;
  } catch (e) {
    if (e instanceof RotateError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
