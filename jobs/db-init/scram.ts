/**
 * SCRAM-SHA-256 password verifiers computed client-side, in the format PostgreSQL stores
 * (`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, RFC 5802/7677), as psql's
 * \password does. ALTER ROLE ... PASSWORD then carries a hash, never the plaintext, so the
 * secret cannot leak into server logs (RDS often runs with log_statement=ddl).
 *
 * PostgreSQL applies SASLprep to passwords; for printable ASCII (enforced in config.ts) it is
 * the identity, so hashing the raw bytes matches what clients send.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "crypto";

/** PostgreSQL's default scram_iterations. */
const ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}
