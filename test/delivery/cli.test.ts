/** The command-line conventions every tool shares (tools/cli/): help, suggestions, exit codes, progress. */
import { editDistance, EXIT, failureLine, nearest, parseFlags, unknown, UsageError } from "../../tools/cli/args";
import { formatSeconds, progress } from "../../tools/cli/progress";
import { knownStacks, requireStack } from "../../tools/cli/stacks";
import { diffCommand } from "../../tools/plan/diffCommand";
import { loadStackConfig } from "../../tools/plan/stackConfig";
import type { StackRenderer } from "../../tools/plan/diff";

describe("suggestions", () => {
  it("measures edits and suggests only near candidates", () => {
    expect(editDistance("stagin", "staging")).toBe(1);
    expect(editDistance("prd", "prod")).toBe(1);
    expect(nearest("stagin", ["prod", "preview", "staging"])).toBe("staging");
    expect(nearest("prd", ["prod", "preview", "staging"])).toBe("prod");
    expect(nearest("--jsn", ["--json", "--md", "--config"])).toBe("--json");
    expect(nearest("--dryrun", ["--dry-run"])).toBe("--dry-run");
    expect(nearest("swep", ["up", "destroy", "sweep"])).toBe("sweep");
    expect(nearest("prev", ["prod", "preview", "staging"])).toBe("preview");
    expect(nearest("frobnicate", ["up", "destroy", "sweep"])).toBeUndefined();
  });

  it("says 'did you mean' when one is near, and lists the valid ones when none is", () => {
    expect(unknown("stack", "stagin", ["prod", "staging"]).message).toBe('unknown stack "stagin"; did you mean "staging"?');
    expect(unknown("command", "zap", ["up", "sweep"]).message).toBe('unknown command "zap" (one of: up, sweep)');
    expect(unknown("stack", "x", [])).toBeInstanceOf(UsageError);
  });

  it("knows the stacks that have a file, and rejects others with the nearest", () => {
    expect(knownStacks()).toEqual(expect.arrayContaining(["preview", "prod", "staging"]));
    expect(requireStack("prod")).toBe("prod");
    expect(() => requireStack("staging2")).toThrow(/unknown stack "staging2"; did you mean "staging"\?/);
  });
});

describe("parseFlags", () => {
  const spec = { json: { type: "string" }, estimate: { type: "boolean" }, pack: { type: "string", multiple: true } } as const;

  it("reads --flag value, --flag=value, booleans, repeated flags, -- and help", () => {
    const p = parseFlags(["staging", "--json", "a.json", "--estimate", "--pack=x", "--pack", "y", "--", "--not-a-flag"], spec);
    expect(p).toEqual({ values: { json: "a.json", estimate: true, pack: ["x", "y"] }, positionals: ["staging", "--not-a-flag"], help: false });
    expect(parseFlags(["-h"], spec).help).toBe(true);
    expect(parseFlags(["x", "--help"], spec).help).toBe(true);
  });

  it("rejects unknown flags with the nearest known one, and flags missing their value", () => {
    expect(() => parseFlags(["--jsn", "x"], spec)).toThrow('unknown option "--jsn"; did you mean "--json"?');
    expect(() => parseFlags(["--json"], spec)).toThrow("--json needs a value");
    expect(() => parseFlags(["--json", "--estimate"], spec)).toThrow("--json needs a value");
    expect(() => parseFlags(["--estimate=yes"], spec)).toThrow("--estimate takes no value");
  });

  it("prefixes a failure with its tool's name once", () => {
    expect(failureLine("plan", new Error("plan: plan: x.yaml does not exist"))).toBe("plan: x.yaml does not exist");
    expect(failureLine("audit", "boom")).toBe("audit: boom");
    expect([EXIT.ok, EXIT.failed, EXIT.usage]).toEqual([0, 1, 2]);
  });
});

describe("progress", () => {
  it("prints n/N with an estimate from the mean step time, and grows N when needed", () => {
    const lines: string[] = [];
    let t = 0;
    const bar = progress(3, { write: (l) => lines.push(l), now: () => t });
    bar.step("render staging");
    t = 2000;
    bar.step("render prod");
    t = 4000;
    bar.step("flip a");
    t = 6000;
    bar.step("flip b");
    expect(lines).toEqual(["[1/3] render staging", "[2/3] render prod, ~4 s left", "[3/3] flip a, ~2 s left", "[4/4] flip b, ~2 s left"]);
    expect(bar.done).toBe(4);
  });

  it("formats seconds and minutes", () => {
    expect([formatSeconds(0.2), formatSeconds(42), formatSeconds(60), formatSeconds(125)]).toEqual(["1 s", "42 s", "1 min", "2 min 5 s"]);
  });

  it("plan diff reports each render as n/N on stderr, N from the differing keys", async () => {
    // One resource per stack, its input the stack's dbMultiAz: quick, and explained by that key.
    const render: StackRenderer = async ({ stack, configFile }) => {
      const config = loadStackConfig(stack, { configFile });
      const inputs = { multiAz: config.config["chatbot:dbMultiAz"] };
      const urn = "urn:pulumi:<stack>::chatbot::aws:rds/instance:Instance::db";
      return {
        config,
        plan: {
          project: "chatbot",
          stack,
          resources: [
            {
              urn,
              type: "aws:rds/instance:Instance",
              name: "db",
              parent: null,
              provider: null,
              inputs,
              options: { protect: false, retainOnDelete: false, dependsOn: [] },
            },
          ],
          outputs: {},
        },
      };
    };
    const err: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
    try {
      expect(await diffCommand(["staging", "prod", "--keys", "dbMultiAz"], render, () => undefined)).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const lines = err.join("").trim().split("\n");
    expect(lines[0]).toMatch(/^\[1\/4\] render staging$/);
    expect(lines[1]).toMatch(/^\[2\/4\] render prod, ~\d+ s left$/);
    expect(lines.at(-1)).toMatch(/^\[4\/4\] flip dbMultiAz, ~\d+ s left$/);
  });
});
