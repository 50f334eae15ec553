// GitHub's own workflow parser (@actions/workflow-parser, the one behind the Actions language
// service) on each file named on the command line; prints { file: [errors] } as JSON. A child
// process because the package is ES-module only and jest loads test code as CommonJS.
import * as fs from "node:fs";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";

const out = {};
for (const name of process.argv.slice(2)) {
  const parsed = parseWorkflow({ name, content: fs.readFileSync(name, "utf8") }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value && errors.length === 0) {
    // Conversion checks what parsing alone does not (job needs, matrix, concurrency shapes).
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message ?? e.message ?? String(e)));
  }
  out[name] = errors;
}
process.stdout.write(JSON.stringify(out));
