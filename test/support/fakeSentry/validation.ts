/** The fake Sentry's refusals: an HTTP error status with Sentry's detail, and request bodies checked against the documented schemas (./schemas, Ajv). */
import Ajv from "ajv";
import { checkInBody, keyCreateBody, projectCreateBody, projectUpdateBody, workflowBody } from "./schemas";

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = {
  workflow: ajv.compile(workflowBody),
  projectUpdate: ajv.compile(projectUpdateBody),
  projectCreate: ajv.compile(projectCreateBody),
  keyCreate: ajv.compile(keyCreateBody),
  checkIn: ajv.compile(checkInBody),
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

export function validate(kind: keyof typeof validators, body: unknown): void {
  const v = validators[kind];
  if (!v(body)) throw new HttpError(400, `invalid ${kind} body: ${ajv.errorsText(v.errors)}`);
}
