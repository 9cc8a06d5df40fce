// Four projects, one runner: `npm test` runs them all; `--selectProjects unit` runs one.
// unit:        the product, with no network and no services (nock for third-party HTTP).
// peers:       the local partner servers the other projects and `npm start` use (test/peers/),
//              tested themselves: driven over HTTP on 127.0.0.1 by real clients (the `stripe`
//              library, our OTA builders; xmllint checks the OTA peer's answers), no database.
//              A failure here is in a peer, not in the product.
// integration: the real PostgreSQL and Redis on 127.0.0.1.
// e2e:         the built package inside a real n8n (scripts/n8n.ts), one file at a time.
// Transpile only: `npm test` type-checks everything once with tsc before Jest starts, which is
// much faster than ts-jest checking each file again.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] };
// dist/ holds a copy of package.json; Jest's module map must not see two packages of one name.
// (Per project: projects do not inherit it from the top level.)
const modulePathIgnorePatterns = ['<rootDir>/dist/'];

module.exports = {
	// One file at a time: e2e files each start an n8n, and this machine has 2 cores.
	maxWorkers: 1,
	// Opening the embedded database (WebAssembly) or an n8n can take several seconds on a busy
	// 2-core machine; e2e files set their own, longer timeouts.
	testTimeout: 60_000,
	// A stray handle (a Redis or pool timer) must never keep CI waiting after the last test.
	forceExit: true,
	reporters: ['default', '<rootDir>/test/summaryReporter.js'],
	projects: [
		{ displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, modulePathIgnorePatterns, testEnvironment: 'node' },
		{
			displayName: 'peers',
			testMatch: ['<rootDir>/test/peers/**/*.test.ts'],
			transform,
			modulePathIgnorePatterns,
			testEnvironment: 'node',
		},
		{
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			transform,
			modulePathIgnorePatterns,
			testEnvironment: 'node',
		},
		{
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			transform,
			modulePathIgnorePatterns,
			testEnvironment: 'node',
		},
	],
};
