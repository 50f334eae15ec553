// mermaid's own parser on each file named on the command line; prints { file: error | null } as
// JSON. A child process: mermaid is ES-module only and needs its DOM dependency shimmed.
import * as fs from "node:fs";
import { register } from "node:module";

register("./mermaidHooks.mjs", import.meta.url);
const { default: mermaid } = await import("mermaid");
const out = {};
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(fs.readFileSync(file, "utf8"));
    out[file] = result.diagramType === "flowchart-v2" ? null : `not a flowchart: ${result.diagramType}`;
  } catch (e) {
    out[file] = String(e.message ?? e)
      .split("\n")
      .slice(0, 4)
      .join("\n");
  }
}
process.stdout.write(JSON.stringify(out));
