/**
 * Request bodies as Sentry documents them, as JSON Schemas the fake Sentry enforces with Ajv.
 * Sources: docs.sentry.io/api/monitors/ ("Create an Alert", "Update an Alert by ID": name
 * required, config.frequency one of 0-1440 listed, triggers/actionFilters condition groups with
 * logicType, conditions {type, comparison, conditionResult}, actions {type, integrationId, data,
 * config}); docs.sentry.io/api/projects/ ("Update a Project"); docs.sentry.io/product/crons/
 * getting-started/http/ (check-in body: `status` required, `monitor_config` upserts the monitor).
 * Unknown top-level fields are refused, which is stricter than Sentry (it ignores them): a typo
 * fails here instead of silently doing nothing there.
 */

const LOGIC_TYPES = ["any-short", "any", "all", "none"];

/** Condition types with the shape of their `comparison` (docs.sentry.io/api/monitors/ "Conditions"). */
const CONDITIONS: Record<string, Record<string, unknown>> = {
  first_seen_event: { const: true },
  regression_event: { const: true },
  reappeared_event: { const: true },
  issue_resolved_trigger: { const: true },
  event_frequency_count: {
    type: "object",
    required: ["value", "interval"],
    additionalProperties: false,
    properties: { value: { type: "integer", minimum: 1 }, interval: { enum: ["1min", "5min", "15min", "1hr", "1d", "1w", "30d"] } },
  },
  issue_priority_greater_or_equal: { enum: [25, 50, 75] },
  tagged_event: {
    type: "object",
    required: ["key", "match"],
    additionalProperties: false,
    properties: { key: { type: "string" }, match: { enum: ["co", "nc", "eq", "ne", "sw", "ew", "is", "ns"] }, value: { type: "string" } },
  },
};

const condition = {
  oneOf: Object.entries(CONDITIONS).map(([type, comparison]) => ({
    type: "object",
    required: ["type", "comparison", "conditionResult"],
    additionalProperties: false,
    properties: { type: { const: type }, comparison, conditionResult: { type: "boolean" } },
  })),
};

const action = {
  type: "object",
  required: ["type", "config"],
  additionalProperties: false,
  properties: {
    type: { enum: ["email", "slack", "pagerduty", "discord", "msteams", "opsgenie"] },
    integrationId: { type: ["string", "null"], pattern: "^\\d+$" },
    data: { type: "object" },
    config: {
      type: "object",
      required: ["targetType"],
      additionalProperties: false,
      properties: {
        targetType: { enum: ["user", "team", "issue_owners", "specific"] },
        targetIdentifier: { type: ["string", "null"] },
        targetDisplay: { type: ["string", "null"] },
      },
    },
    status: { enum: ["active", "disabled"] },
  },
  // E-mail goes to a user or team by id; an integration's action names its integration.
  allOf: [
    {
      if: { properties: { type: { const: "email" } } },
      then: {
        properties: {
          integrationId: { type: "null" },
          config: { required: ["targetType", "targetIdentifier"], properties: { targetIdentifier: { type: "string", pattern: "^\\d+$" } } },
        },
      },
    },
    { if: { properties: { type: { not: { const: "email" } } } }, then: { required: ["integrationId"], properties: { integrationId: { type: "string" } } } },
  ],
};

const conditionGroup = (withActions: "none" | "some") => ({
  type: "object",
  required: ["logicType", "conditions", "actions"],
  additionalProperties: false,
  properties: {
    logicType: { enum: LOGIC_TYPES },
    conditions: { type: "array", items: condition },
    actions: withActions === "none" ? { type: "array", maxItems: 0 } : { type: "array", items: action, minItems: 1 },
  },
});

export const workflowBody = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    id: { type: "string" },
    name: { type: "string", minLength: 1, maxLength: 256 },
    enabled: { type: "boolean" },
    environment: { type: ["string", "null"], maxLength: 64 },
    config: { type: "object", additionalProperties: false, properties: { frequency: { enum: [0, 5, 10, 30, 60, 180, 720, 1440] } } },
    detectorIds: { type: "array", items: { type: ["string", "integer"], pattern: "^\\d+$" } },
    // Triggers carry no actions: actions live in the action filters.
    triggers: { ...conditionGroup("none"), properties: { ...conditionGroup("none").properties, logicType: { const: "any-short" } } },
    actionFilters: { type: "array", items: conditionGroup("some") },
  },
};

export const projectUpdateBody = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: { type: "string" },
    slug: { type: "string", pattern: "^[a-z0-9_-]+$" },
    platform: { type: "string" },
    isBookmarked: { type: "boolean" },
    resolveAge: { type: "integer" },
    dataScrubber: { type: "boolean" },
    dataScrubberDefaults: { type: "boolean" },
    scrubIPAddresses: { type: "boolean" },
    sensitiveFields: { type: "array", items: { type: "string" } },
    safeFields: { type: "array", items: { type: "string" } },
  },
};

export const projectCreateBody = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name: { type: "string", maxLength: 50 },
    slug: { type: "string", pattern: "^[a-z0-9_-]+$" },
    platform: { type: "string" },
    default_rules: { type: "boolean" },
  },
};

export const keyCreateBody = {
  type: "object",
  additionalProperties: false,
  properties: { name: { type: "string", maxLength: 64 }, rateLimit: { type: "object" } },
};

export const checkInBody = {
  type: "object",
  required: ["status"],
  additionalProperties: false,
  properties: {
    check_in_id: { type: "string", pattern: "^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$" },
    status: { enum: ["in_progress", "ok", "error"] },
    duration: { type: "number", minimum: 0 },
    environment: { type: "string" },
    monitor_config: {
      type: "object",
      required: ["schedule"],
      additionalProperties: false,
      properties: {
        schedule: {
          oneOf: [
            {
              type: "object",
              required: ["type", "value"],
              additionalProperties: false,
              properties: { type: { const: "crontab" }, value: { type: "string", pattern: "^\\S+( \\S+){4}$" } },
            },
            {
              type: "object",
              required: ["type", "value", "unit"],
              additionalProperties: false,
              properties: {
                type: { const: "interval" },
                value: { type: "integer", minimum: 1 },
                unit: { enum: ["minute", "hour", "day", "week", "month", "year"] },
              },
            },
          ],
        },
        checkin_margin: { type: "integer", minimum: 1 },
        max_runtime: { type: "integer", minimum: 1 },
        timezone: { type: "string" },
        failure_issue_threshold: { type: "integer", minimum: 1 },
        recovery_threshold: { type: "integer", minimum: 1 },
      },
    },
  },
};
