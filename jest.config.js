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
};
