/** Executables the deploy runs on this machine (found in the plan: Docker builds, local commands). */
import * as fs from "fs";
import * as path from "path";
import type { Needs } from "./needs";
import type { Findings } from "./problem";

const INSTALL: Record<string, string> = {
  aws: "install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)",
  docker: "install Docker and start its daemon (https://docs.docker.com/engine/install/)",
};

export function onPath(tool: string, envPath = process.env.PATH ?? ""): boolean {
  return envPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, tool), fs.constants.X_OK);
        return fs.statSync(path.join(dir, tool)).isFile();
      } catch {
        return false;
      }
    });
}

export function checkTools(needs: Needs, out: Findings, envPath = process.env.PATH ?? ""): void {
  const byTool = new Map<string, string[]>();
  for (const { tool, resource } of needs.tools) byTool.set(tool, [...(byTool.get(tool) ?? []), resource]);
  for (const [tool, resources] of [...byTool].sort()) {
    if (onPath(tool, envPath)) continue;
    out.problems.push({
      resource: resources.join(", "),
      argument: `the ${tool} executable`,
      problem: "is not on PATH, and `pulumi up` runs it for these resources",
      fix: INSTALL[tool] ?? `install ${tool}`,
    });
  }
}
