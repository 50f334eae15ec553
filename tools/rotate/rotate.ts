/**
 * Rotation on command: raises a generated credential's generation in the stack file (the
 * `credentialRotation` config key), which `pulumi up` turns into a new random value and a new
 * secret version that rolls exactly the services reading it. Config secrets are rotated by
 * setting a new value; this only says how. Nothing here deploys.
 */
import * as fs from "fs";
import YAML from "yaml";
import { ROTATABLE_CREDENTIALS, RotatableCredential, rotationGenerations } from "../../infra/config/keys/operations";
import { secretKeys } from "../../infra/config/keys";

export class RotateError extends Error {}

export interface RotateResult {
  /** What was written to the stack file, if anything. */
  changed: string[];
  /** What the operator does next, in order. */
  next: string[];
}

const KEY = "chatbot:credentialRotation";
const STRATEGY = "chatbot:redisAuthTokenUpdateStrategy";

/** Rotates `name` in the stack file `file`; `finish` ends a Redis token rotation (ROTATE -> SET). */
export function rotate(file: string, stack: string, name: string, opts: { finish?: boolean } = {}): RotateResult {
  if (name in secretKeys) {
    return {
      changed: [],
      next: [
        `pulumi config set --secret chatbot:${name} <new value> --stack ${stack}`,
        `pulumi up --stack ${stack}   # rolls exactly the services that read ${name}`,
      ],
    };
  }
  if (!(ROTATABLE_CREDENTIALS as readonly string[]).includes(name)) {
    const known = [...ROTATABLE_CREDENTIALS, ...Object.keys(secretKeys)].join(", ");
    throw new RotateError(`rotate: unknown secret "${name}"; known: ${known}`);
  }
  if (!fs.existsSync(file)) throw new RotateError(`rotate: ${file} does not exist`);
  const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
  const credential = name as RotatableCredential;
  if (opts.finish) {
    if (credential !== "redisAuthToken") throw new RotateError(`rotate: --finish applies to redisAuthToken only, not ${name}`);
    doc.setIn(["config", STRATEGY], "SET");
    fs.writeFileSync(file, doc.toString());
    return { changed: [`${STRATEGY}: SET`], next: [`pulumi up --stack ${stack}   # only the new token is valid from now on`] };
  }
  const current = ((doc.getIn(["config", KEY]) as YAML.YAMLSeq | undefined)?.toJSON() as string[] | undefined) ?? [];
  const generation = rotationGenerations(current)[credential] + 1;
  const entries = [...current.filter((e) => e.split("=")[0] !== credential), `${credential}=${generation}`].sort();
  doc.setIn(["config", KEY], doc.createNode(entries));
  const changed = [`${KEY}: ${credential}=${generation}`];
  const next = [`pulumi up --stack ${stack}   # new ${credential}; the services that read it roll onto it`];
  if (credential === "redisAuthToken") {
    // ElastiCache accepts the old and the new token while the clients roll, then only the new one.
    doc.setIn(["config", STRATEGY], "ROTATE");
    changed.push(`${STRATEGY}: ROTATE`);
    next.push(`npm run rotate -- ${stack} redisAuthToken --finish && pulumi up --stack ${stack}   # after the rollout: the old token stops working`);
  }
  fs.writeFileSync(file, doc.toString());
  return { changed, next };
}
