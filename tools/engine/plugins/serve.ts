/**
 * Entry of every `pulumi-resource-<name>` offline plugin (bin/): serves offlineProvider for the
 * package named by the first argument. The engine passes its own address after it.
 */
import * as path from "path";
import { PROVIDER_PACKAGES } from "../cache";
import { offlineProvider } from "./offlineProvider";

const [name, ...engineArgs] = process.argv.slice(2);
const pkg = PROVIDER_PACKAGES[name];
if (!pkg) {
  console.error(`offline plugin: unknown provider "${name}" (known: ${Object.keys(PROVIDER_PACKAGES).join(", ")})`);
  process.exit(1);
}
const version: string = require(`${pkg}/package.json`).version;

// @pulumi/pulumi/provider's server acknowledges Configure without handing its arguments to the
// provider; the region is read off the request on its way in, from the gRPC module it uses.
let region: string | undefined;
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] }));
const addService = grpc.Server.prototype.addService;
grpc.Server.prototype.addService = function (service: unknown, impl: any) {
  const configure = impl.configure.bind(impl);
  impl.configure = (call: any, callback: unknown) => {
    const vars = call.request.getVariablesMap();
    region = vars.get("aws:config:region") ?? vars.get("aws:region") ?? call.request.getArgs()?.toJavaScript()?.region ?? region;
    configure(call, callback);
  };
  return addService.call(this, service, impl);
};

const provider: typeof import("@pulumi/pulumi/provider") = require("@pulumi/pulumi/provider");
provider.main(offlineProvider({ version, region: () => region }), engineArgs);
