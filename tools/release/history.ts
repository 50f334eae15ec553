/**
 * The release history of a stack, kept in ECS itself: `release verify` tags each service's task
 * definition revision that it found healthy, and Pulumi never deregisters revisions
 * (`skipDestroy`), so the healthy ones and their image digests stay readable by family.
 */
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTagsForResourceCommand,
  ListTaskDefinitionsCommand,
  TagResourceCommand,
  TaskDefinition,
} from "@aws-sdk/client-ecs";

export const HEALTHY_TAG = "chatbot:release";
export const VERIFIED_AT_TAG = "chatbot:verified-at";

export interface Revision {
  arn: string;
  image: string;
  definition: TaskDefinition;
}

/** The image reference's digest (`sha256:...`), if it is pinned by one. */
export const digestOf = (image: string) => /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];

export async function markHealthy(ecs: ECSClient, taskDefinitionArn: string, at: Date): Promise<void> {
  await ecs.send(
    new TagResourceCommand({
      resourceArn: taskDefinitionArn,
      tags: [
        { key: HEALTHY_TAG, value: "healthy" },
        { key: VERIFIED_AT_TAG, value: at.toISOString() },
      ],
    }),
  );
}

/** Healthy revisions of a family, newest first (the first container's image is the service's). */
export async function healthyRevisions(ecs: ECSClient, family: string, limit = 50): Promise<Revision[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, sort: "DESC", nextToken }));
    arns.push(...(page.taskDefinitionArns ?? []).filter((a) => a.split("/").pop()!.split(":")[0] === family));
    nextToken = page.nextToken;
  } while (nextToken && arns.length < limit);
  // Newest first by revision number, whatever order the API pages in.
  const revision = (arn: string) => Number(arn.split(":").pop());
  arns.sort((x, y) => revision(y) - revision(x));
  const out: Revision[] = [];
  for (const arn of arns.slice(0, limit)) {
    const tags = (await ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags ?? [];
    if (!tags.some((t) => t.key === HEALTHY_TAG && t.value === "healthy")) continue;
    const definition = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition!;
    out.push({ arn, image: definition.containerDefinitions?.[0]?.image ?? "", definition });
  }
  return out;
}
