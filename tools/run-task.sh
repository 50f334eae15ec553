#!/usr/bin/env bash
# Runs one ECS Fargate task to completion, prints its last log lines, and exits with its
# container's exit code (1 if the container never ran, 124 on timeout).
#
# `pulumi up` runs it (components/dbBootstrap.ts) to bootstrap the database before the app
# services roll; a person can run exactly the same thing by hand:
#
#   CLUSTER=chatbot-prod TASK_DEFINITION=chatbot-prod-db-init CONTAINER=db-init \
#   SUBNETS=subnet-aaa,subnet-bbb SECURITY_GROUPS=sg-jobs \
#   LOG_GROUP=/ecs/chatbot-prod-db-init AWS_REGION=eu-central-1 \
#   OVERRIDES='{"containerOverrides":[{"name":"db-init","command":["--dry-run"]}]}' \
#   bash tools/run-task.sh
#
# Needs the AWS CLI v2 and credentials allowed to ecs:RunTask/DescribeTasks/StopTask,
# iam:PassRole on the task's roles, and logs:GetLogEvents on its log group.
set -euo pipefail

missing=()
for v in CLUSTER TASK_DEFINITION CONTAINER SUBNETS SECURITY_GROUPS AWS_REGION; do
  [[ -n "${!v:-}" ]] || missing+=("$v")
done
if (( ${#missing[@]} > 0 )); then
  echo "run-task: missing env ${missing[*]}" >&2
  exit 2
fi
LOG_STREAM_PREFIX="${LOG_STREAM_PREFIX:-job}"
LOG_LINES="${LOG_LINES:-40}"
TIMEOUT_SECONDS="${TIMEOUT_SECONDS:-900}"
STARTED_BY="${STARTED_BY:-run-task.sh}"
export AWS_REGION AWS_PAGER=""

say() { echo "run-task: $*"; }

run_args=(
  ecs run-task --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" --count 1
  --launch-type FARGATE --started-by "$STARTED_BY"
  --network-configuration "awsvpcConfiguration={subnets=[${SUBNETS}],securityGroups=[${SECURITY_GROUPS}],assignPublicIp=DISABLED}"
  --query '[tasks[0].taskArn, failures[0].reason]' --output text
)
[[ -z "${OVERRIDES:-}" ]] || run_args+=(--overrides "$OVERRIDES")
read -r task_arn failure < <(aws "${run_args[@]}")
if [[ -z "${task_arn:-}" || "$task_arn" == "None" ]]; then
  echo "run-task: ECS did not start $TASK_DEFINITION: ${failure:-no reason given}" >&2
  exit 1
fi
task_id="${task_arn##*/}"
say "started $task_arn"

stop_task() {
  aws ecs stop-task --cluster "$CLUSTER" --task "$task_arn" --reason "$1" >/dev/null || true
}
trap 'stop_task "run-task.sh interrupted"; exit 130' INT TERM

# The CLI's waiter gives up after 10 minutes; wait again until our own deadline.
deadline=$(( SECONDS + TIMEOUT_SECONDS ))
until aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task_arn"; do
  if (( SECONDS >= deadline )); then
    stop_task "run-task.sh timed out after ${TIMEOUT_SECONDS}s"
    echo "run-task: $task_id still running after ${TIMEOUT_SECONDS}s; stopped it" >&2
    exit 124
  fi
  say "still waiting for $task_id"
done
trap - INT TERM

IFS=$'\t' read -r exit_code stop_code stopped_reason < <(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task_arn" \
  --query "tasks[0].[containers[?name=='${CONTAINER}'] | [0].exitCode, stopCode, stoppedReason]" --output text)

print_logs() {
  aws logs get-log-events --log-group-name "$LOG_GROUP" \
    --log-stream-name "${LOG_STREAM_PREFIX}/${CONTAINER}/${task_id}" --limit "$LOG_LINES" \
    --query 'events[].[message]' --output text 2>/dev/null || echo "(no log stream ${LOG_STREAM_PREFIX}/${CONTAINER}/${task_id})"
}

if [[ "$exit_code" == "0" ]]; then
  [[ -z "${LOG_GROUP:-}" ]] || print_logs
  say "$task_id exited 0"
  exit 0
fi
{
  echo "run-task: $task_id failed: exit code ${exit_code}, ${stop_code}: ${stopped_reason}"
  if [[ -n "${LOG_GROUP:-}" ]]; then
    echo "run-task: last ${LOG_LINES} log lines of ${LOG_GROUP}:"
    print_logs
  fi
} >&2
[[ "$exit_code" =~ ^[0-9]+$ ]] && exit "$exit_code"
exit 1
