/** Day-2 tooling alone: saved Logs Insights queries per service and for the WAF, and the stack's monthly budget with its e-mails. */
import { load, renderComponent, typeCounts } from "../../support/component";
import { ofType, one } from "../../support/plan";
import type { Plan } from "../../../tools/plan/types";

const QUERY = "aws:cloudwatch/queryDefinition:QueryDefinition";
const BUDGET = "aws:budgets/budget:Budget";

let queryNames: string[] = [];
const render = (budgetMonthlyUsd: number) =>
  renderComponent(() => {
    const { Operations } = load<typeof import("../../../components/monitoring/operations")>("components/monitoring/operations");
    queryNames = new Operations("operations", {
      namePrefix: "chatbot-test",
      stack: "test",
      serviceLogGroups: { api: "/chatbot-test/ecs/api", "telegram-bot": "/chatbot-test/ecs/telegram-bot", chroma: "/chatbot-test/ecs/chroma" },
      wafLogGroup: "aws-waf-logs-chatbot-test-waf",
      slowRequestMs: 1500,
      budgetMonthlyUsd,
      budgetAlertEmails: ["finance@example.com", "oncall@example.com"],
    }).queryNames;
  });

describe("Operations", () => {
  let plan: Plan;
  const query = (name: string) => one(plan, QUERY, `operations-${name}`).inputs;
  beforeAll(async () => {
    plan = await render(12.5);
  });

  it("owns an errors query per service, a slow-requests query for the API only, a WAF query and the budget", () => {
    expect(typeCounts(plan)).toEqual({ "chatbot:monitoring:Operations": 1, [QUERY]: 5, [BUDGET]: 1 });
    expect(
      ofType(plan, QUERY)
        .map((q) => q.inputs.name)
        .sort(),
    ).toEqual([
      "chatbot-test/api/errors",
      "chatbot-test/api/slow-requests",
      "chatbot-test/chroma/errors",
      "chatbot-test/telegram-bot/errors",
      "chatbot-test/waf/blocks",
    ]);
    // What the component reports as its queries are the ones it declared.
    expect([...queryNames].sort()).toEqual(
      ofType(plan, QUERY)
        .map((q) => q.inputs.name)
        .sort(),
    );
  });

  it("runs each query on its own service's log group only", () => {
    expect(query("api-errors").logGroupNames).toEqual(["/chatbot-test/ecs/api"]);
    expect(query("api-slow-requests").logGroupNames).toEqual(["/chatbot-test/ecs/api"]);
    expect(query("telegram-bot-errors").logGroupNames).toEqual(["/chatbot-test/ecs/telegram-bot"]);
    expect(query("chroma-errors").logGroupNames).toEqual(["/chatbot-test/ecs/chroma"]);
    expect(query("waf-blocks").logGroupNames).toEqual(["aws-waf-logs-chatbot-test-waf"]);
  });

  it("finds errors, exceptions, tracebacks and fatals in any case, and not ordinary lines", () => {
    const [, pattern] = /filter @message like \/\(\?i\)(.*)\/$/m.exec(String(query("chroma-errors").queryString))!;
    const matches = (line: string) => new RegExp(pattern, "i").test(line);
    for (const line of ["ERROR db down", "Traceback (most recent call last):", "ValueError exception raised", "FATAL: out of memory"]) {
      expect(matches(line)).toBe(true);
    }
    expect(matches("INFO request served in 12 ms")).toBe(false);
  });

  it("calls slow the requests above the latency alarm's threshold, slowest first; the WAF query counts blocks by rule and client", () => {
    const slow = String(query("api-slow-requests").queryString).split("\n");
    expect(slow).toContain("| filter duration_ms > 1500");
    expect(slow).toContain("| sort duration_ms desc");
    const waf = String(query("waf-blocks").queryString);
    expect(waf).toContain('| filter action = "BLOCK"');
    expect(waf).toContain("| stats count(*) as blocked by terminatingRuleId, httpRequest.clientIp");
  });

  it("budgets the costs tagged with this stack, monthly, in USD", () => {
    expect(one(plan, BUDGET).inputs).toMatchObject({
      name: "chatbot-test-monthly",
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitAmount: "12.50",
      limitUnit: "USD",
      costFilters: [{ name: "TagKeyValue", values: ["user:stack$test"] }],
    });
  });

  it("e-mails every address at 80% of actual spend and at 100% of forecast spend", () => {
    const notifications = one(plan, BUDGET).inputs.notifications as any[];
    expect(notifications.map((n) => [n.notificationType, n.comparisonOperator, n.threshold, n.thresholdType])).toEqual([
      ["ACTUAL", "GREATER_THAN", 80, "PERCENTAGE"],
      ["FORECASTED", "GREATER_THAN", 100, "PERCENTAGE"],
    ]);
    for (const n of notifications) expect(n.subscriberEmailAddresses).toEqual(["finance@example.com", "oncall@example.com"]);
  });

  it("declares no budget for a budget of 0, and keeps the queries", async () => {
    const none = await render(0);
    expect(typeCounts(none)).toEqual({ "chatbot:monitoring:Operations": 1, [QUERY]: 5 });
  });
});
