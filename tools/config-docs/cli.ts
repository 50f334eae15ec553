import * as fs from "fs";
import * as path from "path";
import { projectYaml, spliceReadme } from "./generate";

const root = path.resolve(__dirname, "../..");
fs.writeFileSync(path.join(root, "Pulumi.yaml"), projectYaml());
const readme = path.join(root, "README.md");
fs.writeFileSync(readme, spliceReadme(fs.readFileSync(readme, "utf8")));
console.log("config-docs: wrote Pulumi.yaml and the config reference in README.md");
