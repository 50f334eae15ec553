/** What the fake Sentry keeps: its projects, alerts (workflows), monitors (detectors), cron monitors, and the requests it served. */
export interface FakeProject {
  id: string;
  slug: string;
  organization: string;
  team: string;
  settings: Record<string, unknown>;
  keys: { id: string; name: string; public: string }[];
}
export interface FakeWorkflow {
  id: string;
  organization: string;
  detectorIds: string[];
  body: Record<string, any>;
}
export interface FakeDetector {
  id: string;
  projectId: string;
  type: "error" | "issue_stream";
  name: string;
}
export interface FakeMonitor {
  slug: string;
  projectId: string;
  config: Record<string, unknown>;
  checkIns: { status: string; checkInId?: string }[];
}
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  body?: unknown;
}
