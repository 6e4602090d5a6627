// One Jest run for the whole workspace. Test kinds by file name:
//   *.spec.ts         unit tests: pure logic, no services
//   *.medium.spec.ts  medium tests: the real PostgreSQL and NATS (a database and a stream prefix per test file)
//   *.e2e.spec.ts     end-to-end: every service started as a process, driven through the public API
//   *.browser.spec.ts the web UI in Debian's chromium through playwright-core
const fs = require('node:fs');
const swcConfig = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcConfig.$schema;

const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/test'],
  setupFiles: ['reflect-metadata'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.spec.ts'],
      testPathIgnorePatterns: ['\\.(medium|e2e|browser)\\.spec\\.ts$', '/node_modules/'],
    },
    { ...common, displayName: 'medium', testMatch: ['**/*.medium.spec.ts'], testTimeout: 60_000 },
    { ...common, displayName: 'e2e', testMatch: ['**/*.e2e.spec.ts', '**/*.browser.spec.ts'], testTimeout: 300_000 },
  ],
};
