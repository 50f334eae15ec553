import { spawnSync } from "child_process";
import * as path from "path";
import { printableErrorStacks, withoutPhantomFrames } from "../infra/errorStacks";

const PHANTOM = "    at applyHelperAsync (/work/node_modules/@pulumi/output.ts:516:31)";
const REAL = "    at Object.<anonymous> (/work/node_modules/@pulumi/pulumi/output.js:378:13)";

describe("error stacks Node 20 can print (infra/errorStacks.ts)", () => {
  it("drops the frames whose path ends in node_modules' package part, and only those", () => {
    const stack = [
      "RunError: preview tier: stack staging exports no vpcId",
      "    at check (/work/infra/parts/shared.ts:74:37)",
      PHANTOM,
      REAL,
      "    at x (/w/node_modules/left-pad.js:1:1)",
      "    at y (/w/node_modules/left-pad/index.js:1:1)",
    ].join("\n");
    expect(withoutPhantomFrames(stack).split("\n")).toEqual([
      "RunError: preview tier: stack staging exports no vpcId",
      "    at check (/work/infra/parts/shared.ts:74:37)",
      REAL,
      "    at y (/w/node_modules/left-pad/index.js:1:1)",
    ]);
  });

  it("keeps a message that names such a path, and a stack with no frames, as they are", () => {
    const message = "Error: cannot read /w/node_modules/@pulumi/output.ts\nsecond line";
    expect(withoutPhantomFrames(message)).toBe(message);
    expect(withoutPhantomFrames(`${message}\n${PHANTOM}`)).toBe(message);
  });

  it("wraps the installed stack formatter once, so every error's stack comes out without phantom frames", () => {
    const before = Error.prepareStackTrace;
    try {
      let calls = 0;
      Error.prepareStackTrace = (error: Error) => {
        calls++;
        return `${error.name}: ${error.message}\n    at here (/work/infra/index.ts:1:1)\n${PHANTOM}`;
      };
      printableErrorStacks();
      printableErrorStacks();
      expect(new Error("refused").stack).toBe("Error: refused\n    at here (/work/infra/index.ts:1:1)");
      expect(calls).toBe(1);
    } finally {
      Error.prepareStackTrace = before;
    }
  });

  it("leaves V8's own formatting alone when no formatter is installed", () => {
    const before = Error.prepareStackTrace;
    try {
      delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
      printableErrorStacks();
      expect(Error.prepareStackTrace).toBeUndefined();
    } finally {
      Error.prepareStackTrace = before;
    }
  });

  // The loop itself, in a child process with a small heap and a time limit, so this file never hangs:
  // Node 20.20's coloured inspect of a phantom frame fails (heap or string length), the guarded stack prints.
  it("is what lets util.inspect(err, { colors: true }) finish on this Node", () => {
    const script = (guard: boolean) => `
      const util = require("util");
      ${guard ? `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(path.resolve(__dirname, "../infra/errorStacks.ts"))}).printableErrorStacks();` : ""}
      const e = new Error("refused");
      e.stack; // formatted now, through the (wrapped) formatter
      process.stdout.write(util.inspect(e, { colors: true }).split("\\n")[0]);`;
    const run = (guard: boolean) =>
      spawnSync(
        process.execPath,
        ["--max-old-space-size=64", "-e", `Error.prepareStackTrace = (e) => e.name + ": " + e.message + "\\n${PHANTOM}"; ${script(guard)}`],
        { encoding: "utf8", timeout: 20_000 },
      );
    const guarded = run(true);
    expect(guarded.status).toBe(0);
    expect(guarded.stdout).toContain("refused");
    if (/^v20\./.test(process.version)) {
      const unguarded = run(false);
      expect(unguarded.status).not.toBe(0);
      expect(unguarded.stderr).toMatch(/heap out of memory|Invalid string length/);
    }
  });
});
