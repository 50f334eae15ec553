import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { projectYaml, spliceReadme } from "../tools/config-docs/generate";
import { allKeys, secretKeys } from "../infra/config/keys";

const ROOT = path.resolve(__dirname, "..");
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

describe("generated config declarations", () => {
  it("Pulumi.yaml is what the schema generates (run `npm run config-docs` after changing a key)", () => {
    expect(read("Pulumi.yaml")).toBe(projectYaml());
  });

  it("README's config reference is what the schema generates", () => {
    expect(read("README.md")).toBe(spliceReadme(read("README.md")));
  });

  it("declares every key the program reads, secrets as secret and never with a default", () => {
    const declared = YAML.parse(read("Pulumi.yaml")).config;
    expect(Object.keys(declared).sort()).toEqual(Object.keys(allKeys).sort());
    for (const key of Object.keys(secretKeys)) {
      expect(declared[key]).toMatchObject({ secret: true, type: "string" });
      expect(declared[key]).not.toHaveProperty("default");
    }
  });

  it.each(["staging", "prod", "preview"])("Pulumi.%s.yaml writes out every non-secret key and has its own secrets provider", (stack) => {
    const doc = YAML.parse(read(`Pulumi.${stack}.yaml`));
    const written = Object.keys(doc.config)
      .map((k) => k.replace(/^chatbot:/, ""))
      .filter((k) => !(k in secretKeys));
    expect(written.sort()).toEqual(
      Object.keys(allKeys)
        .filter((k) => !(k in secretKeys))
        .sort(),
    );
    expect(doc.secretsprovider).toMatch(new RegExp(`^awskms://alias/chatbot-${stack}-`));
  });
});
