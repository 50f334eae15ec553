/**
 * The plan harness leans on internals of @pulumi/pulumi's mock monitor. These tests pin the
 * behaviour the plan and every other test rely on, so an SDK upgrade that breaks it fails here.
 */
import * as path from "path";
import { spawnSync } from "child_process";

const ROOT = path.resolve(__dirname, "..");

async function renderToy(program: () => Record<string, unknown>) {
  jest.resetModules();
  const { render } = require(path.join(ROOT, "tools/plan/harness"));
  return render({ project: "toy", stack: "test", config: { "toy:region": "eu-central-1" }, secretKeys: [], load: program });
}

describe("plan harness", () => {
  it("records URNs, parents, options and dependencies the way the engine would", async () => {
    const plan = await renderToy(() => {
      const pulumi = require("@pulumi/pulumi");
      const aws = require("@pulumi/aws");
      class Box extends pulumi.ComponentResource {
        constructor(name: string) {
          super("toy:box:Box", name, {}, {});
          const key = new aws.kms.Key(`${name}-key`, { enableKeyRotation: true }, { parent: this, protect: true, retainOnDelete: true });
          new aws.kms.Alias(`${name}-alias`, { name: "alias/x", targetKeyId: key.keyId }, { parent: this });
          this.registerOutputs({});
        }
      }
      new Box("box");
      return { answer: 42 };
    });
    const byName = (n: string) => plan.resources.find((r: any) => r.name === n);
    expect(byName("box").urn).toBe("urn:pulumi:test::toy::toy:box:Box::box");
    expect(byName("box").parent).toBe("urn:pulumi:test::toy::pulumi:pulumi:Stack::toy-test");
    expect(byName("box-key").urn).toBe("urn:pulumi:test::toy::toy:box:Box$aws:kms/key:Key::box-key");
    expect(byName("box-key").options).toEqual({ protect: true, retainOnDelete: true, dependsOn: [] });
    expect(byName("box-alias").options.dependsOn).toEqual([byName("box-key").urn]);
    expect(byName("box-alias").inputs).toEqual({ name: "alias/x", targetKeyId: "box-key-id" });
    expect(plan.outputs).toEqual({ answer: 42 });
    expect(plan.resources.map((r: any) => r.urn)).toEqual([...plan.resources.map((r: any) => r.urn)].sort());
  });

  it("marks additionalSecretOutputs secret, as the engine does, so they stay secret downstream", async () => {
    const plan = await renderToy(() => {
      const random = require("@pulumi/random");
      const aws = require("@pulumi/aws");
      const pw = new random.RandomPassword("pw", { length: 24 });
      new aws.ssm.Parameter("param", { type: "String", value: pw.result });
      return { password: pw.result, plain: "visible" };
    });
    const param = plan.resources.find((r: any) => r.name === "param");
    expect(param.inputs.value).toBe("[secret]");
    expect(plan.outputs).toEqual({ password: "[secret]", plain: "visible" });
    expect(JSON.stringify(plan)).not.toMatch(/[0-9a-f]{24}/);
  });

  it("keeps explicitly secret inputs secret", async () => {
    const plan = await renderToy(() => {
      const pulumi = require("@pulumi/pulumi");
      const aws = require("@pulumi/aws");
      new aws.secretsmanager.SecretVersion("v", { secretId: "s", secretString: pulumi.secret("hunter2") });
      return {};
    });
    expect(plan.resources.find((r: any) => r.name === "v").inputs.secretString).toBe("[secret]");
    expect(JSON.stringify(plan)).not.toContain("hunter2");
  });

  it("refuses two resources with the same type, name and parent, as the engine does", async () => {
    await expect(
      renderToy(() => {
        const aws = require("@pulumi/aws");
        new aws.Provider("aws-containers", { region: "eu-central-1" });
        new aws.Provider("aws-containers", { region: "eu-central-1" });
        return {};
      }),
    ).rejects.toThrow(/Duplicate resource URN 'urn:pulumi:test::toy::pulumi:providers:aws::aws-containers'/);
  });

  it("rejects when the program throws, so a failing check fails the plan", async () => {
    await expect(
      renderToy(() => {
        throw new Error("boom from the program");
      }),
    ).rejects.toThrow(/boom from the program/);
  });

  // Outside jest (the plan CLI), an apply that throws becomes an unhandled rejection that the
  // harness turns into a failed render. Jest's sandbox intercepts those itself, hence a child process.
  it("fails the render when an apply throws, as a real update would", () => {
    const script = `
      const { render } = require("./tools/plan/harness");
      render({ project: "toy", stack: "test", config: {}, secretKeys: [], load: () => {
        const pulumi = require("@pulumi/pulumi");
        const aws = require("@pulumi/aws");
        const bad = pulumi.output("x").apply(() => { throw new Error("check failed inside apply"); });
        new aws.ssm.Parameter("p", { type: "String", value: bad });
        return {};
      } }).then(() => { console.log("rendered"); process.exit(0); }, (e) => { console.error("FAILED: " + e.message); process.exit(3); });
    `;
    const r = spawnSync(process.execPath, [require.resolve("tsx/cli"), "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toMatch(/FAILED: .*check failed inside apply/);
    expect(r.status).toBe(3);
  });
});
