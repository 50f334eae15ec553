/**
 * npm run config-docs [-- --check]: regenerates Pulumi.yaml's config declarations and README's
 * config reference from infra/config/keys. Exit 0 written (or up to date), 1 stale (--check), 2 usage.
 */
import * as fs from "fs";
import * as path from "path";
import { EXIT, failureLine, parseFlags, UsageError } from "../cli/args";
import { projectYaml, spliceReadme } from "./generate";

const USAGE = `usage: npm run config-docs [-- --check]

Writes Pulumi.yaml's config declarations and README.md's config reference from infra/config/keys.

  --check      write nothing; exit 1 if either file is stale
  -h, --help   this text`;

export function main(
  argv: string[],
  root = path.resolve(__dirname, "../.."),
  log: (s: string) => void = console.log,
  err: (s: string) => void = console.error,
): number {
  let parsed;
  try {
    parsed = parseFlags(argv, { check: { type: "boolean" } });
    if (parsed.positionals.length) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
  } catch (e) {
    err(`${failureLine("config-docs", e)}\n${USAGE.split("\n\n")[0]}`);
    return EXIT.usage;
  }
  if (parsed.help) {
    log(USAGE);
    return EXIT.ok;
  }
  const files = [
    { file: path.join(root, "Pulumi.yaml"), text: projectYaml() },
    { file: path.join(root, "README.md"), text: spliceReadme(fs.readFileSync(path.join(root, "README.md"), "utf8")) },
  ];
  if (parsed.values.check) {
    const stale = files.filter((f) => fs.readFileSync(f.file, "utf8") !== f.text).map((f) => path.basename(f.file));
    if (stale.length) err(`config-docs: stale: ${stale.join(", ")}; run npm run config-docs`);
    else log("config-docs: Pulumi.yaml and README.md are up to date");
    return stale.length ? EXIT.failed : EXIT.ok;
  }
  for (const f of files) fs.writeFileSync(f.file, f.text);
  log("config-docs: wrote Pulumi.yaml and the config reference in README.md");
  return EXIT.ok;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
