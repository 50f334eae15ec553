/** The HTTPS listeners' ACM certificates: in the stack's region, ISSUED, and covering the stack's domain. */
import { DescribeCertificateCommand } from "@aws-sdk/client-acm";
import type { Clients } from "./clients";
import type { Needs } from "./needs";
import { awsError, errorName, Findings } from "./problem";

/** ACM's matching: an exact name, or `*.example.com` for exactly one more label. */
export function covers(names: string[], domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, "");
  return names.some((n) => {
    const name = n.toLowerCase();
    if (name === d) return true;
    return name.startsWith("*.") && d.endsWith(name.slice(1)) && !d.slice(0, d.length - name.length + 1).includes(".");
  });
}

export async function checkCertificates(c: Clients, needs: Needs, domain: string | undefined, out: Findings): Promise<void> {
  if (needs.certificates.length > 0 && domain === undefined) {
    out.notes.push("the stack config has no domainName key: certificates checked for status and region only, not for the domain");
  }
  for (const { resource, arn } of needs.certificates) {
    const argument = `certificateArn ${arn}`;
    const region = arn.split(":")[3];
    if (!/^arn:aws[a-z-]*:acm:/.test(arn)) {
      out.problems.push({ resource, argument, problem: "is not an ACM certificate ARN", fix: "set chatbot:certificateArn to the ARN of an ACM certificate (aws acm list-certificates)" });
      continue;
    }
    if (region !== c.region) {
      out.problems.push({ resource, argument, problem: `is in ${region}, but the load balancer is in ${c.region}`, fix: `request or import the certificate in ${c.region}` });
      continue;
    }
    let cert;
    try {
      cert = (await c.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
    } catch (e) {
      const missing = errorName(e) === "ResourceNotFoundException";
      out.problems.push({
        resource, argument, problem: missing ? "does not exist in this account" : `cannot be read (${awsError(e)})`,
        fix: missing ? "deploy the bootstrap stack (it requests the certificate) or set certificateArn to an existing one" : "grant acm:DescribeCertificate to the deploying role",
      });
      continue;
    }
    if (cert?.Status !== "ISSUED") {
      out.problems.push({
        resource, argument, problem: `status is ${cert?.Status ?? "unknown"}, not ISSUED: the HTTPS listener cannot use it`,
        fix: cert?.Status === "PENDING_VALIDATION" ? "create its DNS validation records (aws acm describe-certificate shows them) and wait for ISSUED" : "request a new certificate",
      });
      continue;
    }
    const names = [cert.DomainName ?? "", ...(cert.SubjectAlternativeNames ?? [])].filter(Boolean);
    if (domain && !covers(names, domain)) {
      out.problems.push({ resource, argument, problem: `covers ${names.join(", ")}, not the stack's domain ${domain}`, fix: `use a certificate for ${domain} (or *.${domain.split(".").slice(1).join(".")})` });
    }
  }
}
