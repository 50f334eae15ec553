// ESLint flat config: @eslint/js and typescript-eslint's recommended rules, and @pulumi/eslint-plugin's
// rules (an Output in a plain template literal renders as a warning text, not its value), with type
// information where those need it. Formatting is prettier's (npm run lint runs both).
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "out/", ".tmp/", "coverage/", "test/snapshots/", "tools/engine/cli/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node's globals (the `globals` package is not a dependency; these are the ones the JS files use).
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", globalThis: "readonly" } },
    rules: {
      // An unused binding is a real finding; `_`-prefixed ones are deliberate (a rest sibling, a callback's position).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      // The tests read plans and mock inputs as untyped JSON; `any` there is the honest type.
      "@typescript-eslint/no-explicit-any": "off",
      // A rule of thumb, not a finding: the team's guide caps a file at 300 lines (test/source-size.test.ts checks every language).
      "max-lines": ["error", { max: 300, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    // Where Outputs are made and passed: the program, its components and the policy pack. Type-aware
    // linting costs about a minute on the whole tree; tools and tests handle plans, not Outputs.
    files: ["infra/**/*.ts", "components/**/*.ts", "policy/**/*.ts"],
    plugins: { "@pulumi": pulumi },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { "@pulumi/no-output-in-template-literal": "error", "@pulumi/no-output-instance-in-template-literal": "error" },
  },
  {
    // Tests load the program with require() inside jest.isolateModules, after the mocks are set (an
    // import would be hoisted above them); tools load plugins, package.json files and modules by path.
    files: ["test/**/*.ts", "tools/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    // CommonJS config files of the tools (jest).
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", __dirname: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
