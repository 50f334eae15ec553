/**
 * The formatter and linter are wired as issue 14 asks: `npm test` lints first, prettier skips the
 * generated files (their tools own the format), and ESLint applies Pulumi's rules to the program.
 * The linting itself runs in `npm run lint`; this checks the configuration it runs with.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
// Both load their configs with dynamic import(), which jest's CommonJS runtime refuses: ask their CLIs.
const cli = (tool: string, args: string[]) => JSON.parse(execFileSync(path.join(ROOT, "node_modules/.bin", tool), args, { cwd: ROOT, encoding: "utf8" }));
const ignored = (file: string): boolean => cli("prettier", ["--file-info", file]).ignored;

describe("lint configuration", () => {
  it("runs prettier and eslint before the type check and the tests", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    expect(scripts.lint).toBe("prettier --check . && eslint .");
    expect(scripts.test.startsWith("npm run lint && ")).toBe(true);
  });

  it("formats source at the line width the code was written in", () => {
    const config = execFileSync(path.join(ROOT, "node_modules/.bin/prettier"), ["--find-config-path", "components/shared/fargateTask.ts"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, config.trim()), "utf8"))).toEqual({ printWidth: 160, objectWrap: "collapse" });
  });

  it.each(["Pulumi.yaml", "Pulumi.prod.yaml", "README.md", "test/snapshots/prod.plan.json", "policy/taggable.json"])(
    "leaves %s to the tool that writes it",
    (file) => {
      expect(ignored(file)).toBe(true);
    },
  );

  it("formats hand-written sources", () => {
    for (const file of ["components/shared/fargateTask.ts", "tools/estimate/create-times.json", ".github/workflows/deploy.yml"]) {
      expect({ file, ignored: ignored(file) }).toEqual({ file, ignored: false });
    }
  });

  it("applies Pulumi's Output rules and the 300-line cap to the program", () => {
    const rules = cli("eslint", ["--print-config", "components/shared/fargateTask.ts"]).rules;
    expect(rules["@pulumi/no-output-in-template-literal"]).toEqual([2]);
    expect(rules["@pulumi/no-output-instance-in-template-literal"]).toEqual([2]);
    expect(rules["max-lines"]).toEqual([2, expect.objectContaining({ max: 300 })]);
    expect(rules["@typescript-eslint/no-unused-vars"]?.[0]).toBe(2);
  });
});
