import * as pulumi from "@pulumi/pulumi";
import { ecrRepositoryArn } from "./buildContext";

/** The image a task runs, and where the execution role may pull it from. */
export interface ImageRef {
  /** Image reference, pinned by digest (`repo@sha256:...`) or, for a third-party image, by version tag. */
  uri: pulumi.Input<string>;
  /** ECR repository the execution role may pull from; unset for an image outside ECR (no IAM permission needed). */
  repositoryArn?: pulumi.Input<string>;
}

/** The reference of an image given as a URI in config: ECR's repository ARN is read off the URI. */
export function imageRefOf(uri: string): ImageRef {
  const repositoryArn = ecrRepositoryArn(uri);
  return repositoryArn ? { uri, repositoryArn } : { uri };
}
