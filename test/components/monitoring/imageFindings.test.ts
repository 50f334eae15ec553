/** Inspector's image findings alone: an EventBridge rule for active critical/high findings in the stack's repositories, paging the topic with a runbook. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { one, parseJsonInput } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const RULE = "aws:cloudwatch/eventRule:EventRule";
const TARGET = "aws:cloudwatch/eventTarget:EventTarget";
const TOPIC = "arn:aws:sns:eu-central-1:123456789012:chatbot-test-alerts";

const render = (runbookBaseUrl?: string) =>
  renderComponent(() => {
    const { ImageFindings } = load<typeof import("../../../components/monitoring/imageFindings")>("components/monitoring/imageFindings");
    new ImageFindings("image-findings", { namePrefix: "chatbot-test", topicArn: TOPIC, runbookBaseUrl });
  });

describe("ImageFindings", () => {
  let plan: Plan;
  let pattern: any;
  beforeAll(async () => {
    plan = await render("https://github.com/example/chatbot/blob/main");
    pattern = parseJsonInput(one(plan, RULE), "eventPattern");
  });

  it("owns one rule and its one target", () => {
    expect(typeCounts(plan)).toEqual({ "chatbot:monitoring:ImageFindings": 1, [RULE]: 1, [TARGET]: 1 });
    expect(one(plan, RULE).inputs).toMatchObject({
      name: "chatbot-test-image-findings",
      description: "Active critical or high Inspector findings in the chatbot-test-* image repositories",
    });
  });

  it("matches Inspector's findings that are active and critical or high, nothing else", () => {
    expect(pattern).toMatchObject({ source: ["aws.inspector2"], "detail-type": ["Inspector2 Finding"] });
    expect([...pattern.detail.severity].sort()).toEqual(["CRITICAL", "HIGH"]);
    expect(pattern.detail.status).toEqual(["ACTIVE"]);
  });

  it("matches only this stack's repositories: the prefix ends at the dash, so chatbot-testing-* is not ours", () => {
    expect(pattern.detail.resources).toEqual({ details: { awsEcrContainerImage: { repositoryName: [{ prefix: "chatbot-test-" }] } } });
  });

  it("sends each finding to the given topic, from this rule", () => {
    expect(one(plan, TARGET).inputs).toMatchObject({ rule: "chatbot-test-image-findings", arn: TOPIC });
  });

  it("pages with the severity, image, tags and title, and the runbook under the base URL", () => {
    const { inputPaths, inputTemplate } = one(plan, TARGET).inputs.inputTransformer as any;
    expect(inputPaths).toEqual({
      severity: "$.detail.severity",
      title: "$.detail.title",
      repository: "$.detail.resources[0].details.awsEcrContainerImage.repositoryName",
      tags: "$.detail.resources[0].details.awsEcrContainerImage.imageTags",
    });
    // Every placeholder is one of the paths; the template is a JSON string, as SNS receives it.
    for (const [, key] of inputTemplate.matchAll(/<(\w+)>/g)) expect(Object.keys(inputPaths)).toContain(key);
    expect(JSON.parse(inputTemplate)).toMatch(/Runbook: https:\/\/github\.com\/example\/chatbot\/blob\/main\/docs\/runbooks\/image-vulnerability\.md$/);
  });

  it("links the runbook by its repository path when no base URL is given", async () => {
    const bare = await render(undefined);
    expect((one(bare, TARGET).inputs.inputTransformer as any).inputTemplate).toMatch(/Runbook: docs\/runbooks\/image-vulnerability\.md"$/);
  });
});
