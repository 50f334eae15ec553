/**
 * A fake Sentry for the engine tests: the projects the offline Sentry plugin reports as created
 * (tools/plan/mockOutputs.ts gives their ids) exist in it, and each committed stack's test token
 * has exactly the scopes README documents. The program's Sentry API resources (dynamic
 * providers, run by the real engine's pulumi-nodejs plugin) then talk to it.
 */
import { SENTRY_SERVICES } from "../../../components/monitoring/sentry";
import { requiredScopes } from "../../../components/monitoring/sentryApi/endpoints";
import { mockState } from "../../../tools/plan/mockOutputs";
import { loadStackConfig } from "../../../tools/plan/stackConfig";
import { FakeSentry } from "./server";

const STACKS = ["staging", "prod"];

export async function fakeSentryForStacks(): Promise<FakeSentry> {
  const tokens: Record<string, string[]> = {};
  const configs = STACKS.map((stack) => loadStackConfig(stack));
  for (const cfg of configs) tokens[cfg.config["chatbot:sentryAuthToken"]] = requiredScopes({ includeConditional: false });
  const fake = await new FakeSentry(tokens).start();
  for (const cfg of configs) {
    const org = cfg.config["chatbot:sentryOrganization"];
    const team = cfg.config["chatbot:sentryTeam"];
    if (!fake.teams.has(`${org}/${team}`)) fake.addTeam(org, team);
    for (const suffix of Object.values(SENTRY_SERVICES)) {
      const id = String(mockState("sentry:index/sentryProject:SentryProject", `sentry-${suffix}`, {}, cfg.config["chatbot:region"]).internalId);
      fake.addProject({ organization: org, team, slug: `chatbot-${cfg.stack}-${suffix}`, id });
    }
  }
  return fake;
}
