/**
 * No source file over 300 lines (issue 14): a file that grows past it is split by what it holds.
 * Counts every source file in the repository (not only what ESLint lints: Go, shell, Python too).
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.join(__dirname, "..");
const MAX_LINES = 300;
const SOURCE = /\.(ts|mts|cts|js|mjs|cjs|go|sh|py)$/;
const SKIP = new Set(["node_modules", ".git", "coverage", "dist"]);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.isFile() && SOURCE.test(e.name) ? [p] : [];
  });
}

/** As `wc -l` counts them, plus a last line without a newline. */
function lineCount(file: string): number {
  const text = fs.readFileSync(file, "utf8");
  return text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
}

describe("source file size", () => {
  const files = sourceFiles(ROOT);

  it("finds the sources it checks", () => {
    const rel = files.map((f) => path.relative(ROOT, f));
    expect(rel).toEqual(expect.arrayContaining(["infra/index.ts", "jobs/db-init/bootstrap.ts", "tools/engine/cli/langhost/main.go"]));
  });

  it(`keeps every source file at ${MAX_LINES} lines or fewer`, () => {
    const over = files.map((f) => ({ file: path.relative(ROOT, f), lines: lineCount(f) })).filter((f) => f.lines > MAX_LINES);
    expect(over).toEqual([]);
  });
});
