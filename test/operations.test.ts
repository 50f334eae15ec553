/**
 * Operations (issue 17): saved Logs Insights queries per service and for the WAF, and a monthly
 * budget per stack whose alerts reach the configured addresses; a budget without an address is a
 * config error naming the key, before anything is declared.
 */
import { ofType, one, planFor } from "./support/plan";
import { ConfigError, validateConfig } from "../infra/config/validate";
import { loadStackConfig } from "../tools/plan/stackConfig";
import type { Plan } from "../tools/plan/types";

const QUERY = "aws:cloudwatch/queryDefinition:QueryDefinition";
const BUDGET = "aws:budgets/budget:Budget";

describe.each(["staging", "prod"])("operations of %s", (stack) => {
  let plan: Plan;
  let config: Record<string, string>;
  beforeAll(async () => {
    ({
      plan,
      config: { config },
    } = await planFor(stack));
  });

  it("saves an errors query for every service, a slow-requests query for the API and a WAF-blocks query, each on its log group", () => {
    const queries = Object.fromEntries(ofType(plan, QUERY).map((q) => [q.inputs.name, q.inputs]));
    const p = `chatbot-${stack}`;
    expect(Object.keys(queries).sort()).toEqual([
      `${p}/api/errors`,
      `${p}/api/slow-requests`,
      `${p}/chroma/errors`,
      `${p}/discord-bot/errors`,
      `${p}/telegram-bot/errors`,
      `${p}/waf/blocks`,
    ]);
    for (const svc of ["api", "telegram-bot", "discord-bot", "chroma"]) expect(queries[`${p}/${svc}/errors`].logGroupNames).toEqual([`/${p}/ecs/${svc}`]);
    expect(queries[`${p}/api/slow-requests`].queryString).toContain(`filter duration_ms > ${config["chatbot:alarmTargetResponseMs"]}`);
    expect(queries[`${p}/waf/blocks`].logGroupNames).toEqual([`aws-waf-logs-${p}-waf`]);
    expect(queries[`${p}/waf/blocks`].queryString).toContain('filter action = "BLOCK"');
  });

  it("budgets the stack's tagged monthly cost and e-mails the configured addresses at 80% actual and 100% forecast", () => {
    const budget = one(plan, BUDGET).inputs as any;
    expect(budget).toMatchObject({
      name: `chatbot-${stack}-monthly`,
      budgetType: "COST",
      timeUnit: "MONTHLY",
      limitUnit: "USD",
      limitAmount: Number(config["chatbot:budgetMonthlyUsd"]).toFixed(2),
      costFilters: [{ name: "TagKeyValue", values: [`user:stack$${stack}`] }],
    });
    const emails = JSON.parse(config["chatbot:budgetAlertEmails"]);
    expect(emails.length).toBeGreaterThan(0);
    expect(budget.notifications.map((n: any) => `${n.notificationType} ${n.threshold}`)).toEqual(["ACTUAL 80", "FORECASTED 100"]);
    for (const n of budget.notifications) expect(n.subscriberEmailAddresses).toEqual(emails);
  });
});

describe("budget config", () => {
  const validate = (overrides: Record<string, string>) => {
    const loaded = loadStackConfig("staging");
    return () => validateConfig("chatbot", "staging", { ...loaded.config, ...overrides }, new Set(loaded.secretKeys));
  };

  it("a budget without an address fails with one line naming budgetAlertEmails", () => {
    let error: ConfigError | undefined;
    try {
      validate({ "chatbot:budgetAlertEmails": "[]" })();
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.issues).toEqual([
      {
        key: "budgetAlertEmails",
        value: "[]",
        problem: expect.stringMatching(
          new RegExp(`^required when budgetMonthlyUsd is set \\(${loadStackConfig("staging").config["chatbot:budgetMonthlyUsd"]}\\)`),
        ),
      },
    ]);
  });

  it("no budget needs no address; a malformed address is refused", () => {
    expect(validate({ "chatbot:budgetMonthlyUsd": "0", "chatbot:budgetAlertEmails": "[]" })).not.toThrow();
    expect(validate({ "chatbot:budgetAlertEmails": '["finance"]' })).toThrow(/budgetAlertEmails = .*expected a list of e-mail addresses/);
  });

  it("the preview template creates no budget per pull request", async () => {
    expect(ofType((await planFor("preview")).plan, BUDGET)).toEqual([]);
  });
});
