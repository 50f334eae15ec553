/** `npm run preview-stack` arguments (tools/preview-stack/args.ts): commands, PR numbers, flags. */
import { UsageError } from "../../tools/cli/args";
import { parseArgs } from "../../tools/preview-stack/args";

describe("argument parsing", () => {
  it("parses the three commands", () => {
    expect(parseArgs(["up", "12"])).toEqual({ kind: "up", pr: 12, ttlHours: 72, policyPacks: [], policyPackConfigs: [] });
    expect(parseArgs(["up", "12", "--ttl", "24", "--policy-pack", "policy", "--policy-pack-config=policy/c.json"])).toEqual({
      kind: "up",
      pr: 12,
      ttlHours: 24,
      policyPacks: ["policy"],
      policyPackConfigs: ["policy/c.json"],
    });
    expect(parseArgs(["destroy", "3"])).toEqual({ kind: "destroy", pr: 3 });
    expect(parseArgs(["sweep", "--older-than", "48"])).toEqual({ kind: "sweep", olderThanHours: 48, dryRun: false });
    expect(parseArgs(["sweep", "--dry-run"])).toEqual({ kind: "sweep", olderThanHours: undefined, dryRun: true });
  });
  it.each([
    [[]],
    [["nope"]],
    [["up"]],
    [["up", "1", "2"]],
    [["up", "x"]],
    [["destroy", "1", "--ttl", "3"]],
    [["sweep", "--older-than", "soon"]],
    [["sweep", "4"]],
    [["up", "1", "--force"]],
  ])("rejects %j", (argv) => expect(() => parseArgs(argv as string[])).toThrow(UsageError));
  it("--help is a command of its own; --stack names one preview stack", () => {
    expect(parseArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseArgs(["sweep", "-h"])).toEqual({ kind: "help" });
    expect(parseArgs(["sweep", "--stack", "pr-7"])).toEqual({ kind: "sweep", olderThanHours: undefined, dryRun: false, stack: "pr-7" });
    expect(() => parseArgs(["swep"])).toThrow('unknown command "swep"; did you mean "sweep"?');
    expect(() => parseArgs(["up", "1", "--tll", "3"])).toThrow('unknown option "--tll"; did you mean "--ttl"?');
    expect(() => parseArgs(["sweep", "--stack", "staging"])).toThrow(/--stack must name a preview stack pr-<number>/);
  });
});
