import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

/** Test, bench and development code: not in the package, so shipped code must not import it. */
const NOT_SHIPPED = [{ group: ['**/test/**', '**/scripts/**', '**/bench/**'], message: 'Shipped code (lib/, nodes/, credentials/) must not import test, bench or script code: it is not in the package.' }];

export default [
	// Cloud support is off (`n8n-node cloud-support disable`): this package is for self-hosted n8n
	// and needs real libraries (stripe, pg, ioredis, ...), which n8n Cloud does not allow.
	...configWithoutCloudSupport,
	// Tests, scripts, local peers and the bench are not shipped; n8n's node rules do not apply there.
	globalIgnores(['test/**', 'scripts/**', 'bench/**', 'host/**', 'jest.config.js']),
	{
		// lib/ is the core, free of n8n so it can be tested alone: it throws its own typed errors, and
		// the node files translate them into NodeOperationError / NodeApiError at the boundary.
		files: ['lib/**/*.ts'],
		rules: {
			'@n8n/community-nodes/require-node-api-error': 'off',
			// The boundary, enforced: nothing in lib/ imports n8n or a node file.
			'no-restricted-imports': [
				'error',
				{
					patterns: [
						{ group: ['n8n-workflow', 'n8n-workflow/*', 'n8n-core', 'n8n-core/*'], message: 'lib/ is the n8n-free core: take plain values, throw lib errors; nodes/ translate them.' },
						{ group: ['**/nodes/**'], message: 'lib/ must not depend on node files: move the shared code into lib/.' },
						...NOT_SHIPPED,
					],
				},
			],
		},
	},
	{
		// The shipped code (dist/ is built from credentials/, nodes/, lib/) never reaches into what is not shipped.
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		rules: { 'no-restricted-imports': ['error', { patterns: NOT_SHIPPED }] },
	},
	{
		files: ['package.json'],
		rules: {
			// We ship runtime dependencies on purpose: well-kept libraries (stripe, pg, ioredis,
			// cockatiel, PGlite) instead of hand-written protocol code. Self-hosted n8n installs them.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
];
