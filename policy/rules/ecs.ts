/** ECS task definitions and services. */
import type { Rule, ResourceView } from "./types";
import { asArray, isTrue, label, parseJson, SECRET } from "./util";

export const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
export const ECS_SERVICE = "aws:ecs/service:Service";

/** Environment variable names that suggest a secret. */
export const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|KEY|DSN|CREDENTIAL)/i;
/** Names that hold a *reference* to a secret or key (an ARN, id, name or file path), not the secret. */
export const REFERENCE_NAME = /_(ARN|ID|NAME|FILE|PATH|REGION)$/i;
/** A URL with user info (`scheme://user[:password]@host`): database URLs, Sentry DSNs. */
export const URL_WITH_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]+@/i;

/**
 * Why an `environment` entry looks like a secret, or undefined if it does not. The heuristic:
 * 1. a value that is "[secret]" (a Pulumi secret flowed into a plain env var) is always flagged;
 * 2. a value that is a URL with credentials (`postgres://u:p@h`, a Sentry DSN) is always flagged;
 * 3. a name matching SECRET_NAME is flagged unless the value is obviously not a secret:
 *    empty, a number (`LLM_MAX_TOKENS=1024`, `TOKEN_TTL_SECONDS=3600`), a boolean, or an ARN
 *    (`arn:...`), or the name ends in _ARN/_ID/_NAME/_FILE/_PATH/_REGION (`KMS_KEY_ID`,
 *    `DB_SECRET_ARN`: references, not values).
 * Secrets belong in the container's `secrets` (valueFrom Secrets Manager), which is not checked.
 */
export function secretLooking(name: string, value: unknown): string | undefined {
  const v = value === undefined || value === null ? "" : String(value);
  if (v === SECRET) return "its value is a Pulumi secret";
  if (URL_WITH_CREDENTIALS.test(v)) return "its value is a URL with credentials";
  if (!SECRET_NAME.test(name) || REFERENCE_NAME.test(name)) return undefined;
  if (v === "" || /^-?\d+(\.\d+)?$/.test(v) || /^(true|false)$/i.test(v) || v.startsWith("arn:")) return undefined;
  return `its name matches ${SECRET_NAME}`;
}

/** The container definitions of a task definition, or a message saying why they cannot be read. */
function containers(r: ResourceView): { list: any[]; problem?: string } {
  const raw = r.inputs.containerDefinitions;
  if (raw === SECRET) {
    return {
      list: [],
      problem: `${label(r)}: containerDefinitions is secret as a whole, so a secret value flowed into it; pass secrets as ECS \`secrets\` (valueFrom) instead`,
    };
  }
  const parsed = parseJson(raw);
  if (!Array.isArray(parsed)) return { list: [], problem: `${label(r)}: containerDefinitions is not a JSON array` };
  return { list: parsed };
}

function perContainer(r: ResourceView, check: (c: any, where: string) => string[]): string[] {
  if (r.type !== TASK_DEFINITION) return [];
  const { list, problem } = containers(r);
  if (problem) return [problem];
  return list.flatMap((c) => check(c, `${label(r)} container "${c?.name ?? "?"}"`));
}

export const ecsRules: Rule[] = [
  {
    kind: "resource",
    name: "ecs-container-hardening",
    description:
      "Containers run unprivileged with a read-only root filesystem (a compromised bot cannot " +
      "tamper with its image or the host) and ship logs (logConfiguration), so incidents can be investigated.",
    enforcementLevel: "mandatory",
    check: (r) =>
      perContainer(r, (c, where) => {
        const out: string[] = [];
        if (isTrue(c.privileged)) out.push(`${where}: privileged must not be true`);
        if (!isTrue(c.readonlyRootFilesystem)) out.push(`${where}: readonlyRootFilesystem must be true`);
        if (!c.logConfiguration?.logDriver) out.push(`${where}: logConfiguration (with a logDriver) is required`);
        return out;
      }),
  },
  {
    kind: "resource",
    name: "ecs-no-plaintext-secrets",
    description:
      "Secrets reach containers only as ECS `secrets` from Secrets Manager; a plain `environment` " +
      "value is visible to anyone who can describe the task definition.",
    enforcementLevel: "mandatory",
    check: (r) =>
      perContainer(r, (c, where) =>
        asArray(c.environment).flatMap((e) => {
          const why = secretLooking(String(e?.name ?? ""), e?.value);
          return why ? [`${where}: environment variable ${e.name} looks like a secret (${why}); use \`secrets\``] : [];
        }),
      ),
  },
  {
    kind: "resource",
    name: "ecs-service-private",
    description: "Services run in private subnets behind the ALB/NAT: a task never gets a public IP (assignPublicIp false).",
    enforcementLevel: "mandatory",
    check: (r) =>
      r.type === ECS_SERVICE && isTrue(r.inputs.networkConfiguration?.assignPublicIp) ? [`${label(r)}: networkConfiguration.assignPublicIp must be false`] : [],
  },
];
