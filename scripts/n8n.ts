/**
 * One way to run a real n8n: `npm start`, the e2e tests and the bench all start it here.
 *
 * It starts the pinned host (scripts/host.ts) on 127.0.0.1 with free ports, links this package
 * into the user folder so n8n loads it under its real name (as a community package), sets up the
 * owner, creates a public-API key and hands back a small client for the public API (/api/v1;
 * scripts/n8nApi.ts). The environment every n8n process gets is here too (n8nEnv, with the settings
 * we ship from scripts/n8nSettings.ts), as are the pieces scripts/n8nQueue.ts starts queue mode's
 * processes with (spawnN8n, waitForReady, the owner setup).
 * Everything that is specific to n8n 2.41.1 (endpoints, request bodies) is noted where it is used.
 */
import { SHIPPED_N8N_SETTINGS } from './n8nSettings';
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, existsSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ensureHost, type HostInstall } from './host';
import { createN8nApi, N8nApiError, restJson, sleep, webhookUrl, type N8nApi } from './n8nApi';

const repoRoot = path.resolve(__dirname, '..');
const PACKAGE_NAME = 'n8n-nodes-hotel-integrations';
const LOG_LINES_KEPT = 200;
// A first start on a fresh user folder runs all database migrations; later starts take ~5-10 s.
const DEFAULT_READY_TIMEOUT_MS = 180_000;
// n8n's own graceful shutdown is capped below this (N8N_GRACEFUL_SHUTDOWN_TIMEOUT), so SIGKILL is a last resort.
const STOP_TIMEOUT_MS = 20_000;
const POLL_INTERVAL_MS = 200;

export const DEFAULT_OWNER = {
	email: 'owner@example.com',
	// n8n requires 8-64 characters with a digit and an upper-case letter.
	password: 'Hotel-Owner-2041',
	firstName: 'Hotel',
	lastName: 'Owner',
};

export interface StartN8nOptions {
	/** Default: a fresh temp dir, removed by stop(). Becomes N8N_USER_FOLDER. */
	userFolder?: string;
	/** Default: a free port. A free N8N_RUNNERS_BROKER_PORT is always picked too. */
	port?: number;
	/** Default: the repo root. Linked into <userFolder>/.n8n/nodes/node_modules/<package name>; needs dist/. */
	packageDir?: string;
	/** Default true; false when the caller installs the package itself (the install test). */
	linkPackage?: boolean;
	/** Extra environment, applied last. */
	env?: Record<string, string>;
	/** n8n's stdout/stderr lines. Default: kept in memory (last 200) and printed if start fails. */
	log?: (line: string) => void;
	owner?: { email: string; password: string; firstName?: string; lastName?: string };
	/** How long to wait for /healthz/readiness. Default 180 s (a first start runs all migrations). */
	readyTimeoutMs?: number;
}

export interface N8n {
	/** http://127.0.0.1:<port> */
	url: string;
	userFolder: string;
	/** Production webhook URL for a Webhook node's path. */
	webhookUrl(path: string): string;
	/** Public API client (X-N8N-API-KEY). */
	api: N8nApi;
	owner: { email: string; password: string };
	apiKey: string;
	/** Session cookie of the owner, for the internal /rest API (e.g. /types/nodes.json). */
	authCookie: string;
	/** The last 200 lines n8n printed. */
	logs(): string[];
	/** SIGTERM, wait, SIGKILL after a timeout; removes a temp user folder it created. Idempotent. */
	stop(): Promise<void>;
}

export async function startN8n(opts: StartN8nOptions = {}): Promise<N8n> {
	try {
		return await startN8nOnce(opts);
	} catch (error) {
		// The free ports are found by binding and closing them; another process on the machine can
		// take one before n8n binds it. Ports we picked ourselves are simply picked again, once.
		if (opts.port !== undefined || !(error instanceof PortTakenError)) throw error;
		return await startN8nOnce(opts);
	}
}

class PortTakenError extends Error {}

async function startN8nOnce(opts: StartN8nOptions): Promise<N8n> {
	const host = ensureHost((msg) => console.log(msg));
	const folder = prepareUserFolder(opts);
	const [port, brokerPort] = await freePorts(opts.port === undefined ? 2 : 1, opts.port);
	const url = `http://127.0.0.1:${port}`;
	const logBuffer = new LogBuffer(opts.log);
	const proc = spawnN8n(host, ['start'], {
		cwd: folder.path,
		env: n8nEnv({ userFolder: folder.path, port, brokerPort, extra: opts.env }),
		logs: logBuffer,
	});
	const stop = once(async () => {
		await proc.stop();
		folder.cleanUp();
	});

	try {
		await waitForReady(url, proc, opts.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
		const owner = { ...DEFAULT_OWNER, ...opts.owner };
		await ensureOwner(url, owner);
		const authCookie = await login(url, owner);
		const apiKey = await createApiKey(url, authCookie);
		return {
			url,
			userFolder: folder.path,
			webhookUrl: (p) => webhookUrl(url, p),
			api: createN8nApi(url, apiKey),
			owner: { email: owner.email, password: owner.password },
			apiKey,
			authCookie,
			logs: () => logBuffer.lines(),
			stop,
		};
	} catch (error) {
		await stop();
		if (!opts.log) process.stderr.write(`n8n failed to start; its last lines:\n${logBuffer.lines().join('\n')}\n`);
		if (logBuffer.lines().some((line) => line.includes('EADDRINUSE'))) throw new PortTakenError(`${(error as Error).message} (a port was taken: EADDRINUSE)`);
		throw error;
	}
}

/**
 * Starts one n8n process (`n8n start`, `n8n worker`, `n8n webhook`) and watches it. Where the
 * machine has util-linux's setpriv, n8n is started under it with a parent-death signal: if the
 * launcher dies in any way (SIGKILL, a crash), the kernel kills n8n, so no n8n is left holding its
 * ports. SIGKILL, not SIGTERM: an n8n whose output pipe has gone with its launcher was seen to
 * hang in its graceful shutdown. (Its task runner ends when its broker is gone.) Our own exit
 * handler covers the rest.
 */
export function spawnN8n(host: HostInstall, args: string[], o: { cwd: string; env: NodeJS.ProcessEnv; logs: LogBuffer }): WatchedProcess {
	const command = [host.node, host.n8nBin, ...args];
	const guarded = existsSync(SETPRIV) ? [SETPRIV, '--pdeathsig', 'KILL', '--', ...command] : command;
	const child = spawn(guarded[0], guarded.slice(1), { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
	return watchProcess(child, o.logs);
}

const SETPRIV = '/usr/bin/setpriv';

/** The user folder (a temp one unless given), with the package linked in if asked. */
export function prepareUserFolder(opts: StartN8nOptions): { path: string; cleanUp(): void } {
	const created = opts.userFolder === undefined;
	const folder = opts.userFolder ?? mkdtempSync(path.join(os.tmpdir(), 'n8n-hotel-'));
	const cleanUp = () => {
		if (created) rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
	};
	try {
		mkdirSync(folder, { recursive: true });
		if (opts.linkPackage !== false) linkPackage(folder, opts.packageDir ?? repoRoot);
	} catch (error) {
		cleanUp();
		throw error;
	}
	return { path: folder, cleanUp };
}

/** The environment n8n runs with: nothing n8n-specific is inherited from the caller's shell. */
export function n8nEnv(o: { userFolder: string; port: number; brokerPort: number; extra?: Record<string, string> }): NodeJS.ProcessEnv {
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !isN8nSetting(name)));
	return {
		...inherited,
		N8N_USER_FOLDER: o.userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(o.port),
		N8N_PROTOCOL: 'http',
		// 2.41.1 reads N8N_WEBHOOK_URL first and warns that WEBHOOK_URL is deprecated.
		N8N_WEBHOOK_URL: `http://127.0.0.1:${o.port}/`,
		N8N_RUNNERS_BROKER_PORT: String(o.brokerPort),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		DB_TYPE: 'sqlite',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_SECURE_COOKIE: 'false',
		// No calls home: telemetry, version checks, templates, banners, license renewal, the
		// verified-community-nodes list and the MCP registry all reach n8n's servers and can hang offline.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_LICENSE_DETACH_FLOATING_ON_SHUTDOWN: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_DISABLED_MODULES: 'mcp-registry',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		// Keeps stop() quick; our tests never leave long executions running.
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...SHIPPED_N8N_SETTINGS,
		...o.extra,
	};
}

/**
 * Settings from the caller's shell would make runs differ between machines. NODE_ENV matters in
 * particular: Jest sets it to "test", and n8n refuses to load nodes when NODE_ENV is "test".
 */
function isN8nSetting(name: string): boolean {
	return /^(N8N_|DB_|EXECUTIONS_|QUEUE_|NODES_|CREDENTIALS_)/.test(name) ||
		['WEBHOOK_URL', 'GENERIC_TIMEZONE', 'NODE_ENV', 'NODE_OPTIONS'].includes(name);
}

/** Links the built package where n8n looks for installed community packages. */
function linkPackage(userFolder: string, packageDir: string): void {
	const dir = path.resolve(packageDir);
	if (!existsSync(path.join(dir, 'dist'))) {
		throw new Error(`${dir}/dist is missing: build the package first (npm run build).`);
	}
	const modules = path.join(userFolder, '.n8n', 'nodes', 'node_modules');
	mkdirSync(modules, { recursive: true });
	const link = path.join(modules, PACKAGE_NAME);
	if (isPresent(link)) {
		if (!lstatSync(link).isSymbolicLink()) {
			throw new Error(`${link} is an installed copy, not a link; remove it or start with linkPackage: false.`);
		}
		rmSync(link);
	}
	symlinkSync(dir, link, 'dir');
}

function isPresent(p: string): boolean {
	try {
		lstatSync(p);
		return true;
	} catch {
		return false;
	}
}

/** Free ports on 127.0.0.1, all held open together so that they differ from each other. */
export async function freePorts(count: number, first?: number): Promise<number[]> {
	const servers = await Promise.all(
		Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
			const server = net.createServer();
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve(server));
		})),
	);
	const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
	await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
	return first === undefined ? ports : [first, ...ports];
}

export class LogBuffer {
	private kept: string[] = [];

	constructor(private readonly sink?: (line: string) => void) {}

	add(line: string): void {
		this.kept.push(line);
		if (this.kept.length > LOG_LINES_KEPT) this.kept.shift();
		this.sink?.(line);
	}

	lines(): string[] {
		return [...this.kept];
	}
}

export interface WatchedProcess {
	pid: number | undefined;
	/** Set once the process has exited, with how. */
	exit(): string | undefined;
	/** Resolves when the process has exited. */
	exited: Promise<void>;
	/** Sends a signal (a fault test's SIGKILL); stop() is the way to end it. */
	kill(signal: NodeJS.Signals): void;
	stop(): Promise<void>;
}

function watchProcess(child: ChildProcess, logs: LogBuffer): WatchedProcess {
	let exitDescription: string | undefined;
	const exited = new Promise<void>((resolve) => {
		child.once('exit', (code, signal) => {
			exitDescription = signal ? `signal ${signal}` : `code ${code}`;
			resolve();
		});
		// A spawn failure (e.g. a missing Node binary) emits 'error' and never 'exit'.
		child.once('error', (error) => {
			exitDescription ??= `spawn error: ${error.message}`;
			resolve();
		});
	});
	for (const stream of [child.stdout, child.stderr]) {
		if (stream) readline.createInterface({ input: stream }).on('line', (line) => logs.add(line));
	}
	// If the caller exits without stop() (a crashed test run), do not leave n8n holding its ports.
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);

	return {
		pid: child.pid,
		exit: () => exitDescription,
		exited,
		kill: (signal) => void child.kill(signal),
		stop: once(async () => {
			process.removeListener('exit', killOnExit);
			if (exitDescription === undefined) {
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
				await exited;
				clearTimeout(timer);
			}
		}),
	};
}

/** `/healthz` answers before migrations finish; `/healthz/readiness` only once n8n serves requests. */
export async function waitForReady(url: string, proc: WatchedProcess, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const exit = proc.exit();
		if (exit !== undefined) throw new Error(`n8n exited (${exit}) before it was ready`);
		const res = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
		if (res?.ok) return;
		await sleep(POLL_INTERVAL_MS);
	}
	throw new Error(`n8n was not ready at ${url} after ${timeoutMs} ms`);
}

/** Sets the owner up on a fresh instance; a reused user folder already has one. */
export async function ensureOwner(url: string, owner: Required<StartN8nOptions>['owner']): Promise<void> {
	const settings = await restJson<{ data: { userManagement: { showSetupOnFirstLoad?: boolean } } }>(url, 'GET', '/rest/settings');
	if (!settings.data.userManagement.showSetupOnFirstLoad) return;
	// OwnerSetupRequestDto (2.41.1): email, firstName, lastName, password - all required.
	await restJson(url, 'POST', '/rest/owner/setup', {
		email: owner.email,
		firstName: owner.firstName ?? DEFAULT_OWNER.firstName,
		lastName: owner.lastName ?? DEFAULT_OWNER.lastName,
		password: owner.password,
	});
}

/** LoginRequestDto (2.41.1): { emailOrLdapLoginId, password }; the session is the n8n-auth cookie. */
export async function login(url: string, owner: { email: string; password: string }): Promise<string> {
	const res = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: owner.email, password: owner.password }),
	});
	if (!res.ok) throw new N8nApiError('POST', `${url}/rest/login`, res.status, await res.text());
	const cookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
	if (!cookie) throw new Error('POST /rest/login set no n8n-auth cookie');
	return cookie.split(';')[0];
}

/**
 * CreateApiKeyRequestDto (2.41.1): { label (1-50 chars), scopes (non-empty), expiresAt (unix
 * seconds or null) }. The owner may hold every scope GET /rest/api-keys/scopes lists.
 */
export async function createApiKey(url: string, cookie: string): Promise<string> {
	const scopes = await restJson<{ data: string[] }>(url, 'GET', '/rest/api-keys/scopes', undefined, cookie);
	const created = await restJson<{ data: { rawApiKey: string } }>(
		url,
		'POST',
		'/rest/api-keys',
		{ label: `hotel-integrations ${new Date().toISOString()}`, scopes: scopes.data, expiresAt: null },
		cookie,
	);
	return created.data.rawApiKey;
}

export function once<T>(fn: () => Promise<T>): () => Promise<T> {
	let result: Promise<T> | undefined;
	return () => (result ??= fn());
}
