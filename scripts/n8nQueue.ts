/**
 * n8n in queue mode on this machine: one main (editor, triggers, public API), workers (executions)
 * and a webhook process (production webhooks), n8n's data in the local PostgreSQL and its jobs in
 * the local Redis, all on 127.0.0.1. `npm run start:queue`, the queue-mode e2e tests and the bench
 * start it here.
 *
 * Each process is started from docker/compose.queue.yml's own service (command and environment,
 * variables from docker/.env.example as a new user would copy it), with what only a sandbox
 * changes: the services' host names become 127.0.0.1, ports are free loopback ports, n8n's and the
 * hotel's databases and the Bull key prefix are the caller's (so runs never share state), and
 * the "no calls home" settings of the single-process launcher apply.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { readComposeServices, type ComposeService } from './compose';
import { ensureHost } from './host';
import {
	createApiKey,
	DEFAULT_OWNER,
	ensureOwner,
	freePorts,
	LogBuffer,
	login,
	n8nEnv,
	once,
	prepareUserFolder,
	spawnN8n,
	waitForReady,
	type N8n,
	type WatchedProcess,
} from './n8n';
import { createN8nApi, webhookUrl } from './n8nApi';

const repoRoot = path.resolve(__dirname, '..');
export const QUEUE_COMPOSE_FILE = path.join(repoRoot, 'docker', 'compose.queue.yml');
const ENV_EXAMPLE = path.join(repoRoot, 'docker', '.env.example');
const READY_TIMEOUT_MS = 180_000;
// Names the compose file gives the services the n8n processes reach; a sandbox reaches them on loopback.
const SERVICE_HOSTS = ['postgres', 'redis'];

export type QueueRole = 'main' | 'worker' | 'webhook';

export interface QueueProcess {
	role: QueueRole;
	/** main, webhook, worker-1, worker-2, … */
	name: string;
	/** Its HTTP server: the editor/API (main), production webhooks (webhook), the health server (worker). */
	url: string;
	proc: WatchedProcess;
	logs(): string[];
}

export interface StartQueueOptions {
	/** n8n's own database (a fresh, empty one: the main process migrates it). */
	n8nDatabase: { host: string; port: number; database: string; user: string; password?: string };
	/** HOTEL_DATABASE_URL of every process. */
	hotelDatabaseUrl: string;
	/**
	 * n8n's keys in Redis (Bull's jobs, its cache of registered webhooks, pub/sub channels) start
	 * with this; unique per run, or a second run would meet the first one's webhooks. Removed at stop.
	 */
	redisPrefix: string;
	/** Default 2. */
	workers?: number;
	/** Default docker/compose.queue.yml. */
	composeFile?: string;
	/** The compose file's variables (its .env); default docker/.env.example's values. */
	variables?: Record<string, string>;
	/** Default the repo root (needs dist/). */
	packageDir?: string;
	/** Extra environment for every process, applied last. */
	env?: Record<string, string>;
	/** Every process's output, prefixed by its name. Default: kept (last lines) and printed on a failed start. */
	log?: (processName: string, line: string) => void;
}

export interface N8nQueue extends N8n {
	processes: QueueProcess[];
	/** The running workers. */
	workers(): QueueProcess[];
	/** One more worker, ready when this resolves (e.g. after a fault test killed one). */
	startWorker(): Promise<QueueProcess>;
}

/** The launcher's loopback settings win over the compose file's (published addresses, URLs, cookies). */
const LOOPBACK_KEYS = ['N8N_LISTEN_ADDRESS', 'N8N_HOST', 'N8N_PROTOCOL', 'N8N_RUNNERS_BROKER_LISTEN_ADDRESS', 'N8N_SECURE_COOKIE', 'N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS'];

export async function startN8nQueue(opts: StartQueueOptions): Promise<N8nQueue> {
	const host = ensureHost((msg) => console.log(msg));
	const composeFile = opts.composeFile ?? QUEUE_COMPOSE_FILE;
	const services = readComposeServices(composeFile, { ...envExampleVariables(), ...opts.variables });
	for (const role of ['main', 'worker', 'webhook'] as const) {
		if (!services[role]) throw new Error(`${composeFile} has no service "${role}"`);
	}
	const [mainPort, webhookPort] = await freePorts(2);
	const mainUrl = `http://127.0.0.1:${mainPort}`;
	const webhookBase = `http://127.0.0.1:${webhookPort}`;
	const processes: QueueProcess[] = [];
	const folders: Array<() => void> = [];
	let workerCount = 0;

	const startProcess = async (role: QueueRole, name: string, port?: number): Promise<QueueProcess> => {
		const [httpPort, brokerPort] = await freePorts(port === undefined ? 2 : 1, port);
		const folder = prepareUserFolder({ packageDir: opts.packageDir });
		folders.push(folder.cleanUp);
		const service = services[role];
		const base = n8nEnv({ userFolder: folder.path, port: httpPort, brokerPort });
		const env: NodeJS.ProcessEnv = {
			...base,
			...onLoopback(service),
			...pick(base, LOOPBACK_KEYS),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: opts.n8nDatabase.host,
			DB_POSTGRESDB_PORT: String(opts.n8nDatabase.port),
			DB_POSTGRESDB_DATABASE: opts.n8nDatabase.database,
			DB_POSTGRESDB_USER: opts.n8nDatabase.user,
			DB_POSTGRESDB_PASSWORD: opts.n8nDatabase.password ?? '',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: '6379',
			QUEUE_BULL_PREFIX: opts.redisPrefix,
			N8N_REDIS_KEY_PREFIX: opts.redisPrefix,
			HOTEL_DATABASE_URL: opts.hotelDatabaseUrl,
			N8N_WEBHOOK_URL: `${webhookBase}/`,
			N8N_EDITOR_BASE_URL: `${mainUrl}/`,
			// A worker's HTTP server is its health server; it is how we (and Docker) know it is ready.
			...(role === 'worker' ? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(httpPort), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' } : {}),
			...opts.env,
		};
		const logs = new LogBuffer(opts.log && ((line) => opts.log!(name, line)));
		const proc = spawnN8n(host, service.args, { cwd: folder.path, env, logs });
		const started: QueueProcess = { role, name, url: `http://127.0.0.1:${httpPort}`, proc, logs: () => logs.lines() };
		processes.push(started);
		try {
			await waitForReady(started.url, proc, READY_TIMEOUT_MS);
		} catch (error) {
			if (!opts.log) process.stderr.write(`n8n ${name} failed to start; its last lines:\n${logs.lines().join('\n')}\n`);
			throw error;
		}
		return started;
	};

	const stop = once(async () => {
		// Webhook process and workers first, so nothing is left half-taken when main goes.
		await Promise.all(processes.filter((p) => p.role !== 'main').map((p) => p.proc.stop()));
		await Promise.all(processes.filter((p) => p.role === 'main').map((p) => p.proc.stop()));
		for (const cleanUp of folders) cleanUp();
		await removeRedisKeys(opts.redisPrefix);
	});

	try {
		// main migrates n8n's database; the others start once it has.
		await startProcess('main', 'main', mainPort);
		const owner = { ...DEFAULT_OWNER };
		await ensureOwner(mainUrl, owner);
		const authCookie = await login(mainUrl, owner);
		const apiKey = await createApiKey(mainUrl, authCookie);
		const startWorker = () => startProcess('worker', `worker-${++workerCount}`);
		await Promise.all([startProcess('webhook', 'webhook', webhookPort), ...Array.from({ length: opts.workers ?? 2 }, startWorker)]);
		const main = processes.find((p) => p.role === 'main')!;
		return {
			url: mainUrl,
			userFolder: '',
			webhookUrl: (p) => webhookUrl(webhookBase, p),
			api: createN8nApi(mainUrl, apiKey, webhookBase),
			owner: { email: owner.email, password: owner.password },
			apiKey,
			authCookie,
			logs: main.logs,
			stop,
			processes,
			workers: () => processes.filter((p) => p.role === 'worker' && p.proc.exit() === undefined),
			startWorker,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

async function removeRedisKeys(prefix: string): Promise<void> {
	const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1 });
	try {
		await redis.connect();
		let cursor = '0';
		do {
			const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
			if (keys.length > 0) await redis.del(...keys);
			cursor = next;
		} while (cursor !== '0');
	} catch {
		// Leftover keys under a unique prefix harm nothing.
	} finally {
		redis.disconnect();
	}
}

/** A service's environment with the compose network's host names pointing at this machine. */
function onLoopback(service: ComposeService): Record<string, string> {
	const hosts = SERVICE_HOSTS.join('|');
	return Object.fromEntries(
		Object.entries(service.environment).map(([key, value]) => [
			key,
			SERVICE_HOSTS.includes(value) ? '127.0.0.1' : value.replace(new RegExp(`(@|//)(${hosts})(?=[:/]|$)`, 'g'), '$1127.0.0.1'),
		]),
	);
}

/** docker/.env.example's values, as a hotel that copied it to .env would have them. */
function envExampleVariables(): Record<string, string> {
	if (!existsSync(ENV_EXAMPLE)) return {};
	const variables: Record<string, string> = {};
	for (const line of readFileSync(ENV_EXAMPLE, 'utf8').split('\n')) {
		const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
		if (match) variables[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
	}
	return variables;
}

function pick(source: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
	return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]!]));
}
