/**
 * One backup-job command in a process of its own, so its peak RSS is the job's alone: runs the
 * CLI's main() with the given arguments and prints `{"code","maxRssKiB"}` as its last line.
 */
import { main } from "../../jobs/backup/cli";

main(process.argv.slice(2), process.env, { out: () => undefined, err: (l) => void process.stderr.write(`${l}\n`), now: () => new Date() }).then((code) => {
  process.stdout.write(`${JSON.stringify({ code, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
  process.exit(code);
});
