/**
 * The module-load floor of a plan: loads everything the program imports (the SDKs, the components,
 * config validation) without declaring a resource. `npm run bench` times this process against a
 * whole `npm run plan`.
 */
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
require(path.join(ROOT, "tools/plan/harness"));
require(path.join(ROOT, "tools/plan/render"));
// Every component module, in every part's folder.
for (const file of fs.readdirSync(path.join(ROOT, "components"), { recursive: true }) as string[]) {
  if (file.endsWith(".ts")) require(path.join(ROOT, "components", file));
}
for (const file of ["config", "providers", "secretGuard"]) require(path.join(ROOT, "infra", file));
for (const file of fs.readdirSync(path.join(ROOT, "infra/parts"))) require(path.join(ROOT, "infra/parts", file));
