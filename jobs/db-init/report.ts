/** What db-init prints on stdout after a run: one line per change, then a summary line. */
import { Report } from "./bootstrap";

export function formatReport(r: Report): string[] {
  const lines = [...r.changes];
  if (r.passwords.length) {
    // Not counted as a change: the stored hash cannot be compared on RDS (pg_authid is
    // superuser-only), so the secret is re-applied every run and rotation always takes effect.
    lines.push(`${r.dryRun ? "would re-apply" : "re-applied"} passwords of ${r.passwords.join(", ")} (every run)`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.changes.length === 0) lines.push("nothing to do");
  else lines.push(r.dryRun ? `dry run: ${r.changes.length} change(s), none applied` : `${r.changes.length} change(s) applied`);
  return lines;
}
