#!/usr/bin/env bash
# Records one deploy of a stack: its duration and result in the job summary, and as CloudWatch
# metrics the stack's dashboard (components/dashboard.ts) compares with the targets: average
# deploy under 5 minutes, success rate over 95%.
#   record-deploy.sh <stack name prefix, e.g. chatbot-prod> <start epoch seconds> <job status>
set -euo pipefail
prefix="$1" started="$2" status="$3"
seconds=$(( $(date +%s) - started ))
success=$([ "$status" = "success" ] && echo 1 || echo 0)
{
  echo "### Deploy of ${prefix}: ${status} in $((seconds / 60)) min $((seconds % 60)) s"
  echo "Targets: average deploy < 5 min, success rate > 95% (dashboard \`${prefix}\`)."
} >> "${GITHUB_STEP_SUMMARY:-/dev/stdout}"
# A metric that cannot be written must not turn a good deploy red: warn and carry on.
aws cloudwatch put-metric-data --namespace "chatbot/deploys" \
  --metric-data \
    "MetricName=DeployDurationSeconds,Dimensions=[{Name=Stack,Value=${prefix}}],Value=${seconds},Unit=Seconds" \
    "MetricName=DeploySuccess,Dimensions=[{Name=Stack,Value=${prefix}}],Value=${success},Unit=Count" \
  || echo "::warning::could not record the deploy metrics of ${prefix}"
