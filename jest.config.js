// Three projects, one runner: `npm test` runs them all; `--selectProjects unit` runs one.
// unit:        no network, no services (nock for third-party HTTP).
// integration: the real PostgreSQL and Redis on 127.0.0.1.
// e2e:         the built package inside a real n8n (see test/e2e/harness), one file at a time.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }] };

module.exports = {
	// One file at a time: e2e files each start an n8n, and this machine has 2 cores.
	maxWorkers: 1,
	reporters: ['default', '<rootDir>/test/summaryReporter.js'],
	projects: [
		{ displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, testEnvironment: 'node' },
		{
			displayName: 'integration',
			testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
			transform,
			testEnvironment: 'node',
		},
		{
			displayName: 'e2e',
			testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
			transform,
			testEnvironment: 'node',
		},
	],
};
