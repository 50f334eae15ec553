import { createHash } from "crypto";

/** Stack output holding `{ <secret key>: sha256(value) }`, read by other stacks' secret-sharing guard. */
export const FINGERPRINTS_OUTPUT = "secretFingerprints";

export function fingerprint(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}
