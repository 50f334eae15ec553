import { int, list, oneOf, str } from "../spec";

/** Generated credentials that rotate on command: each is a `<name>=<generation>` entry of credentialRotation. */
export const ROTATABLE_CREDENTIALS = ["redisAuthToken", "chromaToken", "postgresAppPassword", "postgresBackupPassword"] as const;
export type RotatableCredential = (typeof ROTATABLE_CREDENTIALS)[number];

export const operationsKeys = {
  credentialRotation: list({
    description:
      "Generation of each generated credential, `<credential>=<n>`: raising n generates a new value on the next `pulumi up` and rolls the services that read it (`npm run rotate -- <stack> <credential>`). Absent means generation 0.",
    default: [],
    item: { pattern: "^[A-Za-z]+=\\d+$" },
    itemAllowed: `\`<credential>=<generation>\` entries, credential one of ${ROTATABLE_CREDENTIALS.join(", ")}`,
    maxItems: ROTATABLE_CREDENTIALS.length,
  }),
  redisAuthTokenUpdateStrategy: oneOf(["SET", "ROTATE"] as const, {
    description:
      "How ElastiCache applies a new Redis auth token: ROTATE keeps the old token valid beside the new one while clients roll (first step of a rotation), SET leaves only the new one valid (second step, and the steady state).",
    default: "SET",
  }),
  alertWebhookUrl: str({
    description:
      "HTTPS endpoint (chat or pager webhook) subscribed to the alert topic beside alertEmail; empty for e-mail only. It is visible to whoever reads the stack file or the SNS subscriptions: use an endpoint whose URL is not its only credential.",
    default: "",
    pattern: /^$|^https:\/\/[^\s]+$/,
    allowed: "empty or an https:// URL",
  }),
  runbookBaseUrl: str({
    description:
      "Where the repository's files are browsed (e.g. https://github.com/<org>/<repo>/blob/main): alarm descriptions link `<runbookBaseUrl>/docs/runbooks/<alarm>.md`; empty, they name the path in the repository.",
    default: "",
    pattern: /^$|^https:\/\/[^\s]+[^/\s]$/,
    allowed: "empty or an https:// URL without a trailing slash",
  }),
  budgetMonthlyUsd: int({
    description: "Monthly AWS cost budget of the stack (USD, by its `stack` cost-allocation tag); 0 creates no budget.",
    default: 0,
    min: 0,
    max: 1000000,
  }),
  budgetAlertEmails: list({
    description: "Addresses the budget alerts (80% actual, 100% forecast) go to; required when budgetMonthlyUsd > 0.",
    default: [],
    item: { format: "email" },
    itemAllowed: "e-mail addresses",
    maxItems: 10,
  }),
};

/** `name=n` entries -> generation per credential (absent: 0). Names are checked by the config rules first. */
export function rotationGenerations(entries: string[]): Record<RotatableCredential, number> {
  const out = Object.fromEntries(ROTATABLE_CREDENTIALS.map((c) => [c, 0])) as Record<RotatableCredential, number>;
  for (const e of entries) {
    const [name, n] = e.split("=");
    if ((ROTATABLE_CREDENTIALS as readonly string[]).includes(name)) out[name as RotatableCredential] = Number(n);
  }
  return out;
}
