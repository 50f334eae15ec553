/** The app's config secrets alone: KMS-encrypted copies, values secret, each with its key for the reader. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one } from "../../support/plan";
import { SECRET } from "../../../tools/plan/types";

describe("AppSecrets", () => {
  it("stores only the values it is given, encrypted with its own key, the values secret", async () => {
    let refs: Record<string, unknown> = {};
    const plan = await renderComponent(() => {
      const pulumi = load<typeof import("@pulumi/pulumi")>("node_modules/@pulumi/pulumi");
      const { AppSecrets } = load<typeof import("../../../components/containers/appSecrets")>("components/containers/appSecrets");
      const secrets = new AppSecrets("app-secrets", {
        namePrefix: "chatbot-test",
        values: { llmApiKey: pulumi.secret("sk-test") },
        recoveryWindowInDays: 7,
        protect: false,
      });
      refs = secrets.secrets;
    });
    expect(typeCounts(plan)).toMatchObject({
      "aws:kms/key:Key": 1,
      "aws:secretsmanager/secret:Secret": 1,
      "aws:secretsmanager/secretVersion:SecretVersion": 1,
    });
    const secret = one(plan, "aws:secretsmanager/secret:Secret");
    expect(secret.inputs).toMatchObject({ name: "chatbot-test/app/llm-api-key", recoveryWindowInDays: 7 });
    expect(secret.inputs.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(ofType(plan, "aws:secretsmanager/secretVersion:SecretVersion")[0].inputs.secretString).toBe(SECRET);
    // What a container reads: one ContainerSecret per stored value, with the key its execution role may decrypt with.
    expect(Object.keys(refs)).toEqual(["llmApiKey"]);
    expect(Object.keys(refs.llmApiKey as object).sort()).toEqual(["kmsKeyArn", "secretArn", "versionId"]);
  });
});
