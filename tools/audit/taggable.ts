/**
 * Generates policy/taggable.json: the type tokens of @pulumi/aws resources whose Args interface
 * has a `tags` property (what the `tags-required` rule treats as taggable).
 *
 *   npx tsx tools/audit/taggable.ts          # rewrite policy/taggable.json
 *   npx tsx tools/audit/taggable.ts --check  # exit 1 if it is stale against node_modules
 *
 * test/policy/taggable.test.ts runs the same comparison.
 */
import * as fs from "fs";
import * as path from "path";

export const ROOT = path.resolve(__dirname, "..", "..");
export const OUTPUT = path.join(ROOT, "policy", "taggable.json");

export interface TaggableList {
  /** @pulumi/aws version the list was generated from. */
  awsVersion: string;
  types: string[];
}

function* jsFiles(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name === "types") continue; // types/: input/output shapes only
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* jsFiles(p);
    else if (e.name.endsWith(".js")) yield p;
  }
}

/** The body of `export interface <name> { ... }` in a .d.ts (top-level interfaces close with "\n}"). */
function interfaceBody(dts: string, name: string): string | undefined {
  const start = dts.indexOf(`export interface ${name} {`);
  if (start < 0) return undefined;
  const end = dts.indexOf("\n}", start);
  return dts.slice(start, end < 0 ? undefined : end);
}

export function generate(awsDir = path.join(ROOT, "node_modules", "@pulumi", "aws")): TaggableList {
  const types = new Set<string>();
  for (const js of jsFiles(awsDir)) {
    const src = fs.readFileSync(js, "utf8");
    const token = /static __pulumiType = '([^']+)'/.exec(src)?.[1];
    const cls = /class (\w+) extends pulumi\.CustomResource/.exec(src)?.[1];
    if (!token || !cls) continue;
    const dtsPath = js.replace(/\.js$/, ".d.ts");
    if (!fs.existsSync(dtsPath)) continue;
    const body = interfaceBody(fs.readFileSync(dtsPath, "utf8"), `${cls}Args`);
    if (body && /^\s+tags\?:/m.test(body)) types.add(token);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(awsDir, "package.json"), "utf8"));
  return { awsVersion: pkg.version, types: [...types].sort() };
}

export function render(list: TaggableList): string {
  return JSON.stringify(list, null, 2) + "\n";
}

if (require.main === module) {
  const text = render(generate());
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(OUTPUT) ? fs.readFileSync(OUTPUT, "utf8") : "";
    if (current !== text) {
      console.error(`${path.relative(ROOT, OUTPUT)} is stale; run: npx tsx tools/audit/taggable.ts`);
      process.exit(1);
    }
    console.log(`${path.relative(ROOT, OUTPUT)} is up to date`);
  } else {
    fs.writeFileSync(OUTPUT, text);
    console.log(`wrote ${path.relative(ROOT, OUTPUT)}`);
  }
}
