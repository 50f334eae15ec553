/** Transpile only (tsconfig has isolatedModules): types are checked once by `tsc --noEmit` in `npm test`. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFiles: ["<rootDir>/test/support/jestSetup.ts"],
  globalSetup: "<rootDir>/test/support/globalSetup.ts",
  globalTeardown: "<rootDir>/test/support/globalTeardown.ts",
  testTimeout: 60000,
  // Two workers on the two cores: the job tests wait on real servers while the others render.
  maxWorkers: 2,
  // Each test file loads its own copies of the Pulumi SDKs, and Pulumi's global state on
  // globalThis keeps them alive: a worker's heap grows ~75 MB per file, and one grew to 16 GB
  // (the kernel's OOM killer ended it). A worker above 1 GB after a file is replaced by a fresh one.
  workerIdleMemoryLimit: "1GB",
};
