/** policy/taggable.json is generated from the installed @pulumi/aws and must not go stale. */
import * as fs from "fs";
import { generate, OUTPUT, render } from "../../tools/audit/taggable";

describe("taggable type list", () => {
  const generated = generate();

  it("matches the installed @pulumi/aws (else run: npx tsx tools/audit/taggable.ts)", () => {
    expect(fs.readFileSync(OUTPUT, "utf8")).toBe(render(generated));
  });

  it("holds the types whose Args have tags, and not the others", () => {
    expect(generated.types).toEqual(
      expect.arrayContaining([
        "aws:s3/bucket:Bucket",
        "aws:rds/instance:Instance",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:cloudwatch/logGroup:LogGroup",
      ]),
    );
    expect(generated.types).not.toContain("aws:s3/bucketPolicy:BucketPolicy");
    expect(generated.types).not.toContain("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(generated.types.length).toBeGreaterThan(500);
  });
});
