// One Jest run for the whole workspace. Test kinds by file name:
//   *.spec.ts         unit tests: pure logic, no services
//   *.medium.spec.ts  medium tests: the real PostgreSQL and NATS (a database and a stream prefix per test file)
//   *.e2e.spec.ts     end-to-end: every service started as a process, driven through the public API
//   *.browser.spec.ts the web UI in Debian's chromium through playwright-core
const fs = require('node:fs');
const swcConfig = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcConfig.$schema;

// music-metadata (apps/metadata) and the packages it imports are ES modules only. Node >= 20.19 require()s
// them natively; Jest on Node < 24.9 cannot, so Jest compiles just these packages to CommonJS, and maps the
// two whose package.json offers them only under the "import"/"module-sync" export conditions.
const esmOnlyPackages = [
  'music-metadata',
  'strtok3',
  'token-types',
  'file-type',
  'uint8array-extras',
  'media-typer',
  'win-guid',
  '@borewit/text-codec',
  '@tokenizer/inflate',
].join('|');
const swcForEsm = [
  '@swc/jest',
  { ...swcConfig, swcrc: false, jsc: { ...swcConfig.jsc, parser: { syntax: 'ecmascript' } } },
];

const common = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }],
    [`/node_modules/(${esmOnlyPackages})/.+\\.js$`]: swcForEsm,
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages})/)`],
  moduleNameMapper: {
    '^music-metadata$': '<rootDir>/node_modules/music-metadata/lib/index.js',
    '^file-type$': '<rootDir>/node_modules/file-type/index.js',
  },
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
      setupFilesAfterEnv: ['<rootDir>/tools/jest/timeout-unit.js'],
    },
    {
      ...common,
      displayName: 'medium',
      testMatch: ['**/*.medium.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/timeout-medium.js'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['**/*.e2e.spec.ts', '**/*.browser.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/timeout-e2e.js'],
    },
  ],
};
