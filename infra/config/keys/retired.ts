/**
 * Keys that were config and became constants of the component that uses them (issue 14): no stack
 * varied them and none could sensibly. A stack that still sets one to the constant's value loses
 * nothing and is accepted (live pr-<n> stacks were copied from the old template); any other value
 * is refused with the reason, since the program would silently not apply it. The values are
 * literals so that reading config loads no component (test/config.test.ts holds them equal).
 */
export interface RetiredKey {
  /** The only value the key could still mean (a list as JSON, compared as data, not as text). */
  value: string;
  /** Why, and where the constant lives. */
  reason: string;
}

const oneBotTask = "a bot always runs exactly one task (SINGLE_CONSUMER_TASKS in components/containers/service.ts): it polls its platform with one token";

export const retiredKeys: Record<string, RetiredKey> = {
  telegramBotMinCount: { value: "1", reason: oneBotTask },
  telegramBotMaxCount: { value: "1", reason: oneBotTask },
  discordBotMinCount: { value: "1", reason: oneBotTask },
  discordBotMaxCount: { value: "1", reason: oneBotTask },
  dbName: {
    value: "chatbot",
    reason:
      "the application database is always `chatbot` (APP_DB_NAME in components/data/database.ts): renaming it on a live stack would create a new, empty database",
  },
  dbExtensions: {
    value: '["pgcrypto"]',
    reason: "the extensions are the app's, the same in every stack (APP_EXTENSIONS in components/data/dbBootstrap.ts): add one in code, with the schema",
  },
  redisMaxmemoryPolicy: {
    value: "allkeys-lru",
    reason: "the cache always evicts its least recently used answer (CACHE_EVICTION_POLICY in components/data/cache.ts): the app treats every key as droppable",
  },
  sentrySensitiveFields: {
    value: '["email","wallet_address","private_key","seed_phrase","mnemonic","authorization"]',
    reason: "every stack scrubs the same personal and wallet fields (SCRUBBED_FIELDS in components/monitoring/sentry.ts): a stack must not scrub fewer",
  },
};

/** Whether a stack's raw value of a retired key is its constant: lists compare as data, so `["a", "b"]` equals `["a","b"]`. */
export function isRetiredValue(retired: RetiredKey, raw: string | undefined): boolean {
  if (raw === retired.value) return true;
  try {
    return raw !== undefined && JSON.stringify(JSON.parse(raw)) === JSON.stringify(JSON.parse(retired.value));
  } catch {
    return false;
  }
}
