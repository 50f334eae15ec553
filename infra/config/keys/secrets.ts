import { secret } from "../spec";

/** Every secret is required: a stack never starts with a credential silently missing. */
export const secretKeys = {
  telegramBotToken: secret({
    description: "Telegram Bot API token (from @BotFather).",
    pattern: /^\d+:[\w-]{30,}$/,
    allowed: "a Telegram bot token `<digits>:<30+ chars>`",
    placeholder: "123456:placeholder-telegram-bot-token-000000",
  }),
  discordBotToken: secret({ description: "Discord bot token.", placeholder: "placeholder-discord-bot-token" }),
  appSecretKey: secret({
    description: "The API's session/signing key (>= 32 characters).",
    pattern: /^.{32,}$/,
    allowed: "at least 32 characters",
    placeholder: "placeholder-app-secret-key-0000000000000000",
  }),
  stripeApiKey: secret({
    description: "Stripe secret or restricted key: sk_test_/rk_test_ in non-production tiers, sk_live_/rk_live_ in production.",
    pattern: /^(sk|rk)_(test|live)_\w+$/,
    allowed: "a Stripe key sk_(test|live)_... or rk_(test|live)_...",
    placeholder: (tier) => (tier === "production" ? "sk_live_placeholder" : "sk_test_placeholder"),
  }),
  llmApiKey: secret({ description: "API key of the LLM provider.", placeholder: "placeholder-llm-api-key" }),
  sentryAuthToken: secret({
    description:
      'Sentry auth token of the Sentry provider and API resources; its scopes are listed in README\'s "Sentry" section (derived from components/monitoring/sentryApi/endpoints.ts).',
    placeholder: "placeholder-sentry-auth-token",
  }),
};
