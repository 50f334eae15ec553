/**
 * Keys that were config and became constants of the component that uses them (issue 14): no stack
 * varied them and none could sensibly. A stack that still sets one to the constant's value loses
 * nothing and is accepted (live pr-<n> stacks were copied from the old template); any other value
 * is refused with the reason, since the program would silently not apply it.
 */
export interface RetiredKey {
  /** The only value the key could still mean. */
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
};
