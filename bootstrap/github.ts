import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AppStackEntry } from "./config";
import { deployPolicy, githubTrust, prStacksPolicy, readOnlyPolicy, Statement } from "./githubPolicies";

export interface GithubAccessArgs {
  appProject: string;
  region: string;
  repository: string;
  readOnlyEnvironment: string;
  appStacks: Record<string, AppStackEntry>;
  hostedZoneId: pulumi.Input<string>;
  secretsKeyArns: Record<string, pulumi.Input<string>>;
}

/**
 * GitHub Actions' OIDC provider and one role per GitHub environment: workflows get short-lived
 * credentials for exactly their environment, and no AWS key is stored in GitHub.
 */
export class GithubAccess extends pulumi.ComponentResource {
  readonly providerArn: pulumi.Output<string>;
  /** Role ARN per GitHub environment: each environment's `AWS_ROLE_ARN` variable. */
  readonly roleArns: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: GithubAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:bootstrap:GithubAccess", name, {}, opts);
    const child = { parent: this };
    const account = aws.getCallerIdentityOutput({}, child).accountId;
    // No thumbprint: IAM trusts GitHub's OIDC endpoint through its own CA library (2023 on).
    const provider = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] },
      child,
    );
    this.providerArn = provider.arn;

    const role = (environment: string, policy: pulumi.Output<Statement[]>) => {
      const r = new aws.iam.Role(
        `${name}-${environment}`,
        {
          name: `${args.appProject}-github-${environment}`,
          description: `GitHub Actions, environment ${environment} of ${args.repository}`,
          assumeRolePolicy: provider.arn.apply((arn) => githubTrust(arn, args.repository, environment)),
          maxSessionDuration: 3600 * 2,
        },
        child,
      );
      new aws.iam.RolePolicy(
        `${name}-${environment}`,
        { role: r.name, policy: policy.apply((s) => JSON.stringify({ Version: "2012-10-17", Statement: s })) },
        child,
      );
      this.roleArns[environment] = r.arn;
    };

    const deployKeys = Object.entries(args.appStacks)
      .filter(([, e]) => e.access === "deploy")
      .map(([k]) => args.secretsKeyArns[k]);
    role(
      args.readOnlyEnvironment,
      pulumi.all(deployKeys).apply((keys) => readOnlyPolicy(keys)),
    );
    for (const [entry, e] of Object.entries(args.appStacks)) {
      const scope = pulumi
        .all([account, args.hostedZoneId, args.secretsKeyArns[entry]])
        .apply(([acct, zone, key]) => ({
          account: acct,
          region: args.region,
          hostedZoneId: zone,
          secretsKeyArn: key,
          namePrefix: e.access === "deploy" ? `${args.appProject}-${entry}` : `${args.appProject}-pr-`,
          stackTag: e.access === "deploy" ? entry : "pr-*",
        }));
      role(
        e.githubEnvironment,
        scope.apply((s) => (e.access === "deploy" ? deployPolicy(s) : prStacksPolicy(s))),
      );
    }
    this.registerOutputs({ providerArn: this.providerArn });
  }
}
