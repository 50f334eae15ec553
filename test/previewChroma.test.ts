/**
 * A preview's Chroma database (issue 20: what a PR stack owns is destroyed with it), in the
 * offline plans: the preview's db-init task gets staging's Chroma URL, its own database name and
 * staging's token secret (decryptable through the execution role), so it creates the database on
 * `up` and drops it on destroy; staging's own db-init gets none of it; and only a lender's Chroma
 * admits the jobs group those tasks run in.
 */
import { INGRESS_RULE, one, parseJsonInput, planFor, rulesOf, SECURITY_GROUP } from "./support/plan";
import type { Plan, PlanResource } from "../tools/plan/types";

let preview: Plan;
let staging: Plan;
let prod: Plan;
let stagingConfig: Record<string, string>;
beforeAll(async () => {
  preview = (await planFor("preview")).plan;
  const s = await planFor("staging");
  staging = s.plan;
  stagingConfig = s.config.config;
  prod = (await planFor("prod")).plan;
});

const container = (plan: Plan, task: string) => parseJsonInput<any[]>(one(plan, "aws:ecs/taskDefinition:TaskDefinition", task), "containerDefinitions")[0];
const envOf = (c: any): Record<string, string> => Object.fromEntries((c.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
const secretsOf = (c: any): Record<string, string> =>
  Object.fromEntries((c.secrets as { name: string; valueFrom: string }[]).map((e) => [e.name, e.valueFrom]));

describe("a preview's db-init and the Chroma database it owns", () => {
  it("gets staging's Chroma URL, the API's own database name, and staging's token secret", () => {
    const db = container(preview, "db-bootstrap-job-task");
    const api = container(preview, "api-task");
    expect(envOf(db)).toMatchObject({ DB_TENANT: "preview", CHROMA_URL: staging.outputs.chromaUrl, CHROMA_DATABASE: envOf(api).CHROMA_DATABASE });
    expect(envOf(db).CHROMA_DATABASE).toBe("preview");
    expect(secretsOf(db).CHROMA_TOKEN).toBe(staging.outputs.chromaTokenSecretArn);
    // Never the value itself: the token reaches the task only through ECS secrets.
    expect(JSON.stringify(db.environment)).not.toMatch(/CHROMA_TOKEN/);
  });

  it("may read exactly that secret, decrypted with staging's data key through Secrets Manager", () => {
    const policy = parseJsonInput(one(preview, "aws:iam/rolePolicy:RolePolicy", "db-bootstrap-job-execution"), "policy");
    const read = policy.Statement.find((s: any) => s.Sid === "ReadSecrets");
    expect(read.Resource).toContain(staging.outputs.chromaTokenSecretArn);
    const decrypt = policy.Statement.find((s: any) => s.Sid === "DecryptSecrets");
    expect(decrypt.Resource).toEqual([staging.outputs.dataKmsKeyArn]);
    expect(decrypt.Condition.StringEquals["kms:EncryptionContext:SecretARN"]).toContain(staging.outputs.chromaTokenSecretArn);
  });

  it("runs the same task with --drop on destroy, so the Chroma database goes with the stack", () => {
    const run = one(preview, "command:local:Command", "db-bootstrap-run");
    expect(String(run.inputs.delete)).toContain(`"command":["--drop"]`);
    expect((run.inputs.environment as Record<string, string>).SECURITY_GROUPS).toBe(staging.outputs.jobsSecurityGroupId);
  });

  it("staging's own db-init gets no Chroma URL, database or token, and drops nothing", () => {
    const db = container(staging, "db-bootstrap-job-task");
    expect(Object.keys(envOf(db)).filter((k) => k.startsWith("CHROMA_") || k === "DB_TENANT")).toEqual([]);
    expect(Object.keys(secretsOf(db)).filter((k) => k.startsWith("CHROMA_"))).toEqual([]);
    expect(one(staging, "command:local:Command", "db-bootstrap-run").inputs.delete).toBeUndefined();
  });
});

describe("who reaches Chroma's API", () => {
  const chromaIngress = (plan: Plan) => rulesOf(plan, INGRESS_RULE, one(plan, SECURITY_GROUP, "chroma-sg"));
  const jobsGroup = (plan: Plan): PlanResource => one(plan, SECURITY_GROUP, "network-jobs-sg");

  it("staging lends to previews: its Chroma admits the jobs group (where previews' db-init runs) on 8000 only", () => {
    expect(stagingConfig["chatbot:lendsToPreviews"]).toBe("true");
    expect(chromaIngress(staging)).toEqual(["tcp 8000-8000 from network-app-sg", "tcp 8000-8000 from network-jobs-sg"]);
    expect(staging.outputs.jobsSecurityGroupId).toBe(`${jobsGroup(staging).name}-id`);
  });

  it("prod lends to no one: its Chroma admits only the app", () => {
    expect(chromaIngress(prod)).toEqual(["tcp 8000-8000 from network-app-sg"]);
  });

  it("a stack may not both borrow and lend, refused before any resource", async () => {
    const { stackFileWith } = await import("./support/engine");
    const file = stackFileWith("preview", { lendsToPreviews: true });
    await expect(planFor("preview", { configFile: file })).rejects.toThrow(
      /chatbot:lendsToPreviews = "true": must be false with sharedInfraStack: a stack that borrows another's Chroma has none of its own to lend/,
    );
  });
});
