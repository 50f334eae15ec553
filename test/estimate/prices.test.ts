/**
 * `npm run prices` against a loopback fake of the Price List API (test/estimate/fakePriceList.ts;
 * moto has no `pricing` service): the committed table is regenerated in a copy, each row with
 * the date read and the product it came from; a row the catalogue lacks or matches twice fails
 * in one line and keeps its value; the estimator says which date its prices are from.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PricingClient } from "@aws-sdk/client-pricing";
import type { PriceTable } from "../../tools/estimate";
import { PRICE_SPECS } from "../../tools/estimate/priceList";
import { pricesRead } from "../../tools/estimate/pricesRead";
import { main, TableFile, updatePrices } from "../../tools/estimate/updatePrices";
import { FakePriceList, FakeProduct, startFakePriceList } from "./fakePriceList";

const ROOT = path.resolve(__dirname, "../..");
const REGION = "eu-central-1";
const committed: PriceTable = JSON.parse(fs.readFileSync(path.join(ROOT, "tools/estimate/prices", `${REGION}.json`), "utf8"));

/** The catalogue as AWS shapes it: region-prefixed usage types, the spec's attributes, plus decoys. */
function catalogue(): FakeProduct[] {
  const out: FakeProduct[] = [];
  Object.entries(PRICE_SPECS).forEach(([key, spec], i) => {
    const attributes = { ...spec.filters, regionCode: REGION, usagetype: `EUC1-${spec.usageType ?? "InstanceUsage"}` };
    const usd = (0.001 * (i + 1)).toFixed(10);
    out.push({
      serviceCode: spec.serviceCode,
      sku: `SKU${i}`,
      attributes,
      tiers: [
        ["0", usd],
        ["51200", "0.0000000001"],
      ],
      unit: key.endsWith("gb") ? "GB" : "Hrs",
    });
    // Same product in another region, which the regionCode filter must exclude.
    out.push({
      serviceCode: spec.serviceCode,
      sku: `SKU${i}-use1`,
      attributes: { ...attributes, regionCode: "us-east-1", usagetype: spec.usageType ?? "InstanceUsage" },
      tiers: [["0", "9.99"]],
      unit: "Hrs",
    });
  });
  // A neighbour of the NAT hour product (same family, other usage type), as the real catalogue has.
  out.push({
    serviceCode: "AmazonEC2",
    sku: "NATIDLE",
    attributes: { productFamily: "NAT Gateway", regionCode: REGION, usagetype: "EUC1-NatGateway-Provisioned" },
    tiers: [["0", "7.77"]],
    unit: "Hrs",
  });
  return out;
}

const expectedUsd = (key: string) => {
  const i = Object.keys(PRICE_SPECS).indexOf(key);
  return Number((0.001 * (i + 1) * (PRICE_SPECS[key].scale ?? 1)).toPrecision(10));
};

let fake: FakePriceList;
let client: PricingClient;
let dir: string;
const lines: { out: string[]; err: string[] } = { out: [], err: [] };
const io = { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l) };

beforeEach(async () => {
  fake = await startFakePriceList(catalogue());
  client = new PricingClient({ region: "us-east-1", endpoint: fake.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
  fs.copyFileSync(path.join(ROOT, "tools/estimate/prices", `${REGION}.json`), path.join(dir, `${REGION}.json`));
  lines.out = [];
  lines.err = [];
});
afterEach(async () => {
  client.destroy();
  await fake.close();
});

const read = (): TableFile => JSON.parse(fs.readFileSync(path.join(dir, `${REGION}.json`), "utf8"));

describe("npm run prices", () => {
  it("rewrites every priced row from the Price List API with the date read, and keeps assumptions and free-tier rows", async () => {
    expect(await updatePrices({ regions: [REGION], dir, client, today: "2026-12-01", io })).toBe(0);
    const table = read();
    expect(table.priceListRead).toBe("2026-12-01");
    expect(table.assumptions).toEqual(committed.assumptions);
    for (const [key, row] of Object.entries(table.prices)) {
      if (PRICE_SPECS[key]) {
        expect({ key, usd: row.usd, read: row.read }).toEqual({
          key,
          usd: expectedUsd(key),
          read: expect.stringMatching(
            new RegExp(
              `^2026-12-01 from the AWS Price List API: ${PRICE_SPECS[key].serviceCode} sku SKU\\d+ \\(EUC1-.+\\), catalogue published 2026-11-20T00:00:00Z$`,
            ),
          ),
        });
        expect(row.source).toBe(committed.prices[key].source);
      } else {
        expect(row).toEqual(committed.prices[key]);
      }
    }
    // Each query names the region, and pages were followed (the fake answers 2 products a page).
    expect(fake.requests.every((r) => r.body.Filters.some((f: any) => f.Field === "regionCode" && f.Value === REGION))).toBe(true);
    expect(fake.requests.some((r) => r.body.NextToken)).toBe(true);
  });

  it("fails one line per row it cannot read, and leaves that row as it was", async () => {
    fake.products.splice(
      fake.products.findIndex((p) => p.attributes.usagetype === "EUC1-LCUUsage"),
      1,
    );
    fake.products.push({
      ...fake.products.find((p) => p.attributes.instanceType === "db.t4g.micro" && p.attributes.regionCode === REGION)!,
      sku: "DUPLICATE",
      tiers: [["0", "0.5"]],
    });
    expect(await updatePrices({ regions: [REGION], dir, client, today: "2026-12-01", io })).toBe(2);
    expect(lines.err).toEqual([
      "prices: eu-central-1 elb.alb.lcuHour: AWSELB: 0 on-demand prices match (0 products with usage type *LCUUsage); the row keeps its previous value",
      "prices: eu-central-1 rds.postgres.db.t4g.micro.hour: AmazonRDS: 2 on-demand prices match (2 products); the row keeps its previous value",
    ]);
    const table = read();
    expect(table.prices["elb.alb.lcuHour"]).toEqual(committed.prices["elb.alb.lcuHour"]);
    expect(table.prices["rds.postgres.db.t4g.micro.hour"]).toEqual(committed.prices["rds.postgres.db.t4g.micro.hour"]);
    expect(table.prices["elb.alb.hour"].usd).toBe(expectedUsd("elb.alb.hour"));
  });

  it("usage: --help exits 0, an unknown region exits 2 naming the nearest, and nothing is written", async () => {
    expect(await main(["--help"], io, {})).toBe(0);
    expect(lines.out[0]).toMatch(/^usage: npm run prices -- \[--region R\]/);
    expect(await main(["--region", "eu-central-2"], io, { AWS_ENDPOINT_URL: fake.endpoint })).toBe(2);
    expect(lines.err[0].split("\n")[0]).toBe('prices: unknown region "eu-central-2"; did you mean "eu-central-1"?');
    expect(fake.requests).toEqual([]);
  });
});

describe("the estimator says which date its prices are from", () => {
  it("names the Price List date and the rows it did not read, or that the table was never read", async () => {
    await updatePrices({ regions: [REGION], dir, client, today: "2026-12-01", io });
    const free = Object.keys(committed.prices).filter((k) => !PRICE_SPECS[k]).length;
    expect(pricesRead(REGION, read())).toBe(
      `Prices: \`tools/estimate/prices/${REGION}.json\`, read from the AWS Price List API on 2026-12-01 (${free} of ${Object.keys(committed.prices).length} rows not: free-tier or unread, see their \`read\`).`,
    );
    expect(pricesRead(REGION, committed)).toMatch(/never read from the AWS Price List API/);
  });
});
