#!/usr/bin/env bash
# Keeps one open GitHub issue per stack while its resources drift from the code.
# usage: report-issue.sh <stack> <exit status of pulumi preview --expect-no-changes> <preview output file>
# Drift (or a failed check): comment on the open "Drift: stack <stack>" issue, or open it.
# No drift: comment on and close that issue, if one is open. Needs `gh` with GH_TOKEN (issues: write).
set -euo pipefail
stack="$1"
status="$2"
output="$3"
title="Drift: stack ${stack}"
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

existing="$(gh issue list --state open --label drift --search "\"${title}\" in:title" --json number,title \
  --jq ".[] | select(.title == \"${title}\") | .number" | head -n 1)"

if [ "$status" = "0" ]; then
  if [ -n "$existing" ]; then
    gh issue comment "$existing" --body "No drift on ${stack} as of ${now}${RUN_URL:+ (${RUN_URL})}: closing."
    gh issue close "$existing"
  fi
  exit 0
fi

body="$(mktemp)"
{
  echo "\`pulumi preview --refresh --expect-no-changes --stack ${stack}\` exited ${status} on ${now}${RUN_URL:+ (${RUN_URL})}:"
  echo "either the account differs from the code (changed by hand, or a rollback not yet in the stack file) or the check itself failed."
  echo
  echo '```'
  # GitHub caps an issue body at 65536 characters: the end of the preview has the summary.
  tail -c 60000 "$output"
  echo '```'
} > "$body"

if [ -n "$existing" ]; then
  gh issue comment "$existing" --body-file "$body"
else
  # Idempotent: the label exists after the first run.
  gh label create drift --color D93F0B --description "Stack resources differ from the code" --force >/dev/null
  gh issue create --title "$title" --label drift --body-file "$body"
fi
