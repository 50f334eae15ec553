/**
 * Every alarm's description ends with a link to its runbook, `docs/runbooks/<id>.md` in this
 * repository (test/runbooks.test.ts fails if an alarm in any stack's plan has none, or the file is
 * missing). One runbook per kind of alarm: the three bots' CPU alarms share `ecs-service-cpu`.
 */
export const RUNBOOK_DIR = "docs/runbooks";

/** `<base>/docs/runbooks/<id>.md`, or the repository path when no base URL is configured. */
export function runbookLink(baseUrl: string, id: string): string {
  return `${baseUrl ? `${baseUrl}/` : ""}${RUNBOOK_DIR}/${id}.md`;
}

/** CloudWatch caps alarm descriptions at 1024 characters: the link is kept, the text shortened. */
export function withRunbook(description: string, baseUrl: string, id: string): string {
  const link = ` Runbook: ${runbookLink(baseUrl, id)}`;
  const room = 1024 - link.length;
  const text = description.replace(/\.$/, "");
  return `${text.length > room ? `${text.slice(0, room - 2)}…` : text}.${link}`;
}
