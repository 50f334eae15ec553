/**
 * npm run prices -- [--region R]...
 * Regenerates the committed price tables (tools/estimate/prices/<region>.json) from the AWS Price
 * List API with the ambient AWS credentials (any principal allowed `pricing:GetProducts`), and
 * records the date read in each row and in the table. Assumptions and free-tier rows are kept.
 * Run by hand; review the diff before committing it.
 *
 * Exit status: 0 every priced row read; 1 a row could not be read (it keeps its previous value,
 * one line says why); 2 usage.
 */
import * as fs from "fs";
import * as path from "path";
import { PricingClient } from "@aws-sdk/client-pricing";
import { EXIT, failureLine, parseFlags, unknown, UsageError } from "../cli/args";
import type { PriceTable } from "./index";
import { pick, PRICE_SPECS, products } from "./priceList";

export const PRICES_DIR = path.join(__dirname, "prices");

export const USAGE = `usage: npm run prices -- [--region R]...

Reads every priced row of tools/estimate/prices/<region>.json from the AWS Price List API
(GetProducts, on-demand, first tier) and rewrites the table with the date read. Default: every
committed region. Needs AWS credentials allowed pricing:GetProducts (AWS_ENDPOINT_URL overrides
the endpoint).

  --region R     only this region's table (repeatable)
  -h, --help     this text

exit status: 0 all rows read, 1 a row could not be read (kept as it was), 2 usage error`;

export interface PricesIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface UpdateOptions {
  regions?: string[];
  dir?: string;
  client: PricingClient;
  today: string;
  io: PricesIo;
}

export type TableFile = PriceTable & { priceListRead?: string; [k: string]: unknown };

/** Updates the tables in place; returns how many rows could not be read. */
export async function updatePrices(opts: UpdateOptions): Promise<number> {
  const dir = opts.dir ?? PRICES_DIR;
  const have = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
  const regions = opts.regions?.length ? opts.regions : have;
  for (const r of regions) if (!have.includes(r)) throw unknown("region", r, have);
  let failed = 0;
  for (const region of regions) {
    const file = path.join(dir, `${region}.json`);
    const table: TableFile = JSON.parse(fs.readFileSync(file, "utf8"));
    let read = 0;
    for (const [key, row] of Object.entries(table.prices)) {
      const spec = PRICE_SPECS[key];
      if (!spec) {
        opts.io.out(`${region} ${key}: kept (${row.usd}): no Price List query for it (free-tier row)`);
        continue;
      }
      try {
        const price = pick(await products(opts.client, spec, region), spec);
        const usd = Number(price.usd.toPrecision(10));
        if (usd !== row.usd) opts.io.out(`${region} ${key}: ${row.usd} -> ${usd} (${price.unit}, ${spec.serviceCode} sku ${price.sku})`);
        table.prices[key] = {
          ...row,
          usd,
          read: `${opts.today} from the AWS Price List API: ${spec.serviceCode} sku ${price.sku} (${price.usageType}, ${price.unit}), catalogue published ${price.publicationDate}`,
        };
        read++;
      } catch (e) {
        failed++;
        opts.io.err(`prices: ${region} ${key}: ${spec.serviceCode}: ${(e as Error).message}; the row keeps its previous value`);
      }
    }
    if (read > 0) table.priceListRead = opts.today;
    fs.writeFileSync(file, JSON.stringify(table, null, 2) + "\n");
    opts.io.out(
      `${region}: ${read} of ${Object.keys(table.prices).length} rows read from the Price List API on ${opts.today}; wrote ${path.relative(process.cwd(), file)}`,
    );
  }
  return failed;
}

export async function main(argv: string[], io: PricesIo = { out: console.log, err: console.error }, env = process.env): Promise<number> {
  try {
    const { values, positionals, help } = parseFlags(argv, { region: { type: "string", multiple: true } });
    if (help) {
      io.out(USAGE);
      return EXIT.ok;
    }
    if (positionals.length) throw new UsageError(`no positional arguments, got ${positionals.join(" ")}`);
    // The Price List API answers in us-east-1 (also eu-central-1 and ap-south-1), for every region's prices.
    const client = new PricingClient({ region: "us-east-1", ...(env.AWS_ENDPOINT_URL ? { endpoint: env.AWS_ENDPOINT_URL } : {}), maxAttempts: 3 });
    try {
      const failed = await updatePrices({ regions: values.region, client, today: new Date().toISOString().slice(0, 10), io });
      return failed ? EXIT.failed : EXIT.ok;
    } finally {
      client.destroy();
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${failureLine("prices", e)}\n${USAGE.split("\n\n")[0]}`);
      return EXIT.usage;
    }
    io.err(failureLine("prices", e));
    return EXIT.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
