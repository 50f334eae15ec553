import * as fs from "fs";
import * as path from "path";
import { one, planFor } from "./support/plan";

describe.each(["staging", "prod"])("Inspector findings of %s's images", (stack) => {
  let rule: any;
  let target: any;
  beforeAll(async () => {
    const { plan } = await planFor(stack);
    rule = one(plan, "aws:cloudwatch/eventRule:EventRule", /^image-findings-rule$/);
    target = one(plan, "aws:cloudwatch/eventTarget:EventTarget", /^image-findings-alert$/);
  });

  it("matches active critical and high findings in the stack's own repositories only", () => {
    const pattern = JSON.parse(rule.inputs.eventPattern);
    expect(pattern.source).toEqual(["aws.inspector2"]);
    expect(pattern.detail.severity.sort()).toEqual(["CRITICAL", "HIGH"]);
    expect(pattern.detail.status).toEqual(["ACTIVE"]);
    expect(pattern.detail.resources.details.awsEcrContainerImage.repositoryName).toEqual([{ prefix: `chatbot-${stack}-` }]);
  });

  it("alerts through the stack's topic with a runbook that exists", () => {
    expect(String(target.inputs.arn)).toMatch(/sns/);
    const template: string = target.inputs.inputTransformer.inputTemplate;
    const link = /Runbook: (\S+\.md)/.exec(template)![1];
    expect(fs.existsSync(path.join(__dirname, "..", link.replace(/^.*?(docs\/runbooks\/)/, "$1")))).toBe(true);
  });
});
