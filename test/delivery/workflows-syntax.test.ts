/**
 * The workflows as GitHub reads them: GitHub's own parser (@actions/workflow-parser, run in a
 * child process: it is ES-module only) and SchemaStore's schemas through Ajv (vendored in
 * ./schemas, see its README). Each validator is first shown a broken file, so a validator
 * that accepts anything cannot pass this test.
 */
import Ajv from "ajv";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ACTIONS, actionDirs, files, ROOT, WORKFLOWS } from "./support/workflows";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflows-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BROKEN = `name: broken
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    concurrency:
      group: x
      cancel-in-progres: true
    steps:
      - run: echo \${{ github.sha }
`;

function githubParser(paths: string[]): Record<string, string[]> {
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), [path.join(__dirname, "support/parseWorkflows.mjs"), ...paths], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`parser failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function schema(name: string) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(__dirname, "schemas", `${name}.json`), "utf8")));
}

describe("GitHub's workflow parser", () => {
  const broken = path.join(dir, "broken.yml");
  fs.writeFileSync(broken, BROKEN);
  const result = githubParser([broken, ...files.map((f) => path.join(WORKFLOWS, f))]);

  it("rejects a broken workflow, naming each mistake", () => {
    expect(result[broken]).toEqual(
      expect.arrayContaining([expect.stringContaining("Unexpected value 'cancel-in-progres'"), expect.stringContaining("The expression is not closed")]),
    );
  });

  it.each(files)("accepts %s with no error", (f) => {
    expect(result[path.join(WORKFLOWS, f)]).toEqual([]);
  });
});

describe("SchemaStore's schemas", () => {
  const workflow = schema("github-workflow");
  const action = schema("github-action");
  const dependabot = schema("dependabot-2.0");
  const read = (file: string) => YAML.parse(fs.readFileSync(file, "utf8"));

  it("reject broken files", () => {
    expect(workflow(YAML.parse(BROKEN))).toBe(false);
    expect(action({ name: "x", runs: { using: "composite" } })).toBe(false); // composite needs steps
    expect(dependabot({ version: 2, updates: [{ "package-ecosystem": "github-actions" }] })).toBe(false); // no schedule
  });

  it.each(files)("accept %s", (f) => {
    const ok = workflow(read(path.join(WORKFLOWS, f)));
    expect(ok ? [] : workflow.errors).toEqual([]);
  });

  it.each(actionDirs)("accept the composite action %s", (d) => {
    const ok = action(read(path.join(ACTIONS, d, "action.yml")));
    expect(ok ? [] : action.errors).toEqual([]);
  });

  it("accept dependabot.yml, which keeps the actions (workflows and composites) and both npm packages current", () => {
    const config = read(path.join(ROOT, ".github/dependabot.yml"));
    expect(dependabot(config) ? [] : dependabot.errors).toEqual([]);
    const dirs = (eco: string) =>
      config.updates
        .filter((u: any) => u["package-ecosystem"] === eco)
        .flatMap((u: any) => u.directories ?? [u.directory])
        .sort();
    expect(dirs("github-actions")).toEqual(["/", ...actionDirs.map((d) => `/.github/actions/${d}`)].sort());
    expect(dirs("npm")).toEqual(["/", "/policy"]);
  });
});
