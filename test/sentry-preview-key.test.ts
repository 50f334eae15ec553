/**
 * A preview stack's services report to the projects of the stack it shares (sentryShareProjectsOf)
 * through the key that stack made for previews, never through its own DSNs or Sentry's "Default"
 * key. The plan cannot show invoke arguments, so the component is built alone under mocks that
 * record them.
 */
import * as pulumi from "@pulumi/pulumi";

const calls: { token: string; inputs: Record<string, unknown> }[] = [];
const created: string[] = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        created.push(`${args.type}::${args.name}`);
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => {
        calls.push({ token: args.token, inputs: args.inputs });
        return { dsnPublic: "https://k@o0.ingest.sentry.io/1" };
      },
    },
    "chatbot",
    "pr-7",
  );
});
afterAll(() => pulumi.runtime.disconnect());

it("looks up the sharing stack's preview key by name, and creates no project, key or alert", async () => {
  let sentry: import("../components/monitoring/sentry").Sentry | undefined;
  jest.isolateModules(() => {
    const { Sentry } = require("../components/monitoring/sentry") as typeof import("../components/monitoring/sentry");
    sentry = new Sentry("sentry", {
      namePrefix: "chatbot-pr-7",
      environment: "pr-7",
      url: "https://sentry.io",
      organization: "chatbot",
      team: "platform",
      authToken: "t",
      alertIntegrationId: "",
      alertSlackChannel: "",
      errorSpikeEvents: 100,
      protect: false,
      shareProjectsOf: "chatbot-staging",
      previewKeys: false,
    });
  });
  await new Promise<void>((resolve) => sentry!.dsnSecretArns.api.apply(() => resolve()));
  const keyLookups = calls.filter((c) => c.token === "sentry:index/getSentryKey:getSentryKey").map((c) => c.inputs);
  expect(keyLookups.sort((a, b) => String(a.project).localeCompare(String(b.project)))).toEqual(
    ["api", "backup-job", "discord-bot", "telegram-bot"].map((s) => ({
      organization: "chatbot",
      project: `chatbot-staging-${s}`,
      name: `chatbot-staging-${s}-previews`,
    })),
  );
  expect(created.filter((c) => /sentry|dynamic/.test(c.split("::")[0]) && !c.startsWith("pulumi:providers:"))).toEqual([]);
});
