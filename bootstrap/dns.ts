import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DnsArgs {
  hostedZoneName: string;
  /** true creates the public zone; false looks up the existing one of that name. */
  createHostedZone: boolean;
  /** Every host a certificate is issued for (`*.<name>` for a wildcard); duplicates share one. */
  certificateDomains: string[];
}

/** `*.staging.example.com` -> `wildcard-staging-example-com`: a logical name per certificate. */
export const certificateName = (domain: string) => domain.replace(/^\*\./, "wildcard.").replace(/\./g, "-");

/**
 * The API hosts' public zone and their ACM certificates, validated by DNS in that zone: a
 * certificate output here is issued, so an app stack's HTTPS listener can use it at once.
 */
export class Dns extends pulumi.ComponentResource {
  readonly zoneId: pulumi.Output<string>;
  readonly nameServers: pulumi.Output<string[]>;
  /** Validated certificate ARN per domain. */
  readonly certificateArns: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("chatbot:bootstrap:Dns", name, {}, opts);
    const child = { parent: this };
    if (args.createHostedZone) {
      // The zone's name servers are delegated by hand from the parent domain: deleting it would break DNS.
      const zone = new aws.route53.Zone(
        `${name}-zone`,
        { name: args.hostedZoneName, comment: "API hosts of the app stacks (bootstrap)" },
        { ...child, protect: true, retainOnDelete: true },
      );
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
    } else {
      const zone = aws.route53.getZoneOutput({ name: args.hostedZoneName, privateZone: false }, child);
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
    }
    for (const domain of [...new Set(args.certificateDomains)].sort()) {
      const id = certificateName(domain);
      const cert = new aws.acm.Certificate(
        `${name}-${id}`,
        { domainName: domain, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1", tags: { Name: domain } },
        { ...child, deleteBeforeReplace: false },
      );
      // One domain per certificate, so exactly one validation record, declared outside any apply.
      const option = cert.domainValidationOptions[0];
      const record = new aws.route53.Record(
        `${name}-${id}-validation`,
        {
          zoneId: this.zoneId,
          name: option.resourceRecordName,
          type: option.resourceRecordType,
          records: [option.resourceRecordValue],
          ttl: 300,
          // `x.example.com` and `*.x.example.com` share one validation name: the second write is the same record.
          allowOverwrite: true,
        },
        child,
      );
      const validation = new aws.acm.CertificateValidation(`${name}-${id}`, { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] }, child);
      this.certificateArns[domain] = validation.certificateArn;
    }
    this.registerOutputs({ zoneId: this.zoneId, certificateArns: this.certificateArns });
  }
}
