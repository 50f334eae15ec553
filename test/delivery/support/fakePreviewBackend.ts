/** A fake Pulumi backend for `npm run preview-stack` (tools/preview-stack/cli.ts), recording every call. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SHARED_OUTPUTS } from "../../../infra/parts/shared";
import type { PreviewBackend } from "../../../tools/preview-stack/automation";

export function setup(files: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preview-stack-"));
  for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), t);
  const calls: unknown[][] = [];
  const state: Record<string, { tags: Record<string, string>; lastUpdate?: string }> = {};
  const lenderOutputs: { value: Record<string, unknown> | null } = { value: Object.fromEntries(SHARED_OUTPUTS.map((k) => [k, `staging-${k}`])) };
  const failUp: { value?: Error } = {};
  const backend: PreviewBackend = {
    readOutputs: async (s) => {
      calls.push(["readOutputs", s]);
      return lenderOutputs.value;
    },
    readConfig: async (s) => {
      calls.push(["readConfig", s]);
      return { "chatbot:telegramBotToken": { value: "tg", secret: true } };
    },
    readTags: async (s) => state[s]?.tags ?? null,
    up: async (s, config, tags, opts) => {
      calls.push(["up", s, config, tags, opts.policyPacks]);
      state[s] = { tags };
      if (failUp.value) throw failUp.value;
      return { apiUrl: "https://pr.example.com" };
    },
    destroy: async (s) => {
      calls.push(["destroy", s]);
      const had = s in state;
      delete state[s];
      return had;
    },
    list: async () => Object.entries(state).map(([name, v]) => ({ name, ...v })),
  };
  let out = "";
  let err = "";
  const now = { t: new Date("2026-03-10T12:00:00Z") };
  const deps = {
    connect: async () => backend,
    planFacts: async (stack: string) => ({
      resources: 93,
      components: ["containers:Service api (12)", "data:TenantDatabase postgres (6)"],
      summary: `Plan of chatbot/${stack}: 93 resources`,
      monthlyUsd: 22.19,
      createSeconds: 400,
      lender: "staging",
    }),
    workDir: dir,
    now: () => now.t,
    out: (s: string) => (out += s),
    err: (s: string) => (err += s),
  };
  return { dir, calls, state, deps, now, lenderOutputs, failUp, output: () => ({ out, err }) };
}
export const files = {
  "Pulumi.preview.yaml": "config:\n  chatbot:tier: preview\n  chatbot:sharedInfraStack: staging\n  chatbot:dbInstanceClass: db.t4g.micro\n",
  "Pulumi.staging.yaml": "config:\n  chatbot:telegramBotToken:\n    secure: AAAB\n",
};
