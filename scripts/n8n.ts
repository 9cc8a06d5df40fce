/**
 * One way to run a real n8n: `npm start`, the e2e tests and the bench all start it here.
 *
 * It starts the pinned host (scripts/host.ts) on 127.0.0.1 with free ports, links this package
 * into the user folder so n8n loads it under its real name (as a community package), sets up the
 * owner, creates a public-API key and hands back a small client for the public API (/api/v1).
 * Everything that is specific to n8n 2.41.1 (endpoints, request bodies) is noted where it is used.
 */
import { SHIPPED_N8N_SETTINGS } from './n8nSettings';
import { spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ensureHost, type HostInstall } from './host';

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

export interface WorkflowJson {
	name?: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface WorkflowNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters?: Record<string, unknown>;
	credentials?: Record<string, { id?: string; name: string }>;
	[key: string]: unknown;
}

/** One node run inside an execution's data (the parts tests read). */
export interface NodeRun {
	startTime?: number;
	executionStatus?: string;
	error?: { message?: string; [key: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; [key: string]: unknown }> | null> };
	[key: string]: unknown;
}

export interface N8nExecution {
	id: string;
	finished: boolean;
	mode: string;
	status: string;
	startedAt: string | null;
	stoppedAt: string | null;
	workflowId: string;
	data?: {
		resultData: {
			runData: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: { message?: string; [key: string]: unknown };
		};
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

export interface ListExecutionsQuery {
	workflowId?: string;
	includeData?: boolean;
	/** One of n8n's ExecutionStatus values: success, error, crashed, canceled, waiting, running, new. */
	status?: string;
}

export interface WaitOptions {
	/** Default 30 s. */
	timeoutMs?: number;
}

export interface N8nApi {
	createCredential(input: { name: string; type: string; data: Record<string, unknown> }): Promise<{ id: string }>;
	deleteCredential(id: string): Promise<void>;
	/** Creates (does not activate) a workflow; drops fields POST /api/v1/workflows rejects. */
	createWorkflow(workflow: WorkflowJson): Promise<{ id: string }>;
	/** Publishes the workflow (POST /workflows/{id}/publish; "activate" in n8n 1.x terms). */
	activateWorkflow(id: string): Promise<void>;
	deactivateWorkflow(id: string): Promise<void>;
	/** All pages (follows nextCursor). Without `status`, n8n leaves out running executions. */
	listExecutions(query?: ListExecutionsQuery): Promise<N8nExecution[]>;
	getExecution(id: string, includeData?: boolean): Promise<N8nExecution>;
	/**
	 * Polls until the workflow has at least `count` finished executions (success, error, crashed,
	 * canceled) and returns them oldest first; throws after timeoutMs (default 30 s).
	 * includeData (default true) fetches their data once at the end, so polling stays cheap.
	 */
	waitForExecutions(
		workflowId: string,
		count: number,
		opts?: WaitOptions & { includeData?: boolean },
	): Promise<N8nExecution[]>;
	/**
	 * Polls until none of the workflow's executions is new or running, then returns how many
	 * finished executions it has. What a test counts before and after a request that must start
	 * nothing: a plain listExecutions leaves out running executions, so a count taken while an
	 * earlier request's run is still going would miss it.
	 */
	countSettledExecutions(workflowId: string, opts?: WaitOptions): Promise<number>;
	/**
	 * Reads a workflow JSON (a relative path is looked up in <repo>/workflows, then the repo root),
	 * points every credential reference at the id of the credential with that name, creates and
	 * activates it.
	 */
	importWorkflowFile(file: string, credentialIdsByName?: Record<string, string>): Promise<{ id: string }>;
	/**
	 * Polls until n8n has registered the production webhook (registration is asynchronous), using a
	 * CORS preflight so no execution is started; throws after timeoutMs (default 30 s). `path` is what
	 * follows /webhook/: the Webhook node's `path` parameter, or `<webhookId>/<path>` for a trigger
	 * whose description fixes the path (e.g. `hotel-stripe-payments/stripe`).
	 */
	waitForWebhook(path: string, method?: string, opts?: WaitOptions): Promise<void>;
	/** Any other public-API call: `request('GET', '/workflows/1')`. Throws N8nApiError on non-2xx. */
	request<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T>;
}

export class N8nApiError extends Error {
	constructor(
		readonly method: string,
		readonly url: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${method} ${url} answered ${status}: ${body.slice(0, 500)}`);
		this.name = 'N8nApiError';
	}
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

async function restJson<T = unknown>(url: string, method: string, p: string, body?: unknown, cookie?: string): Promise<T> {
	const headers: Record<string, string> = { accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';
	if (cookie) headers.cookie = cookie;
	const res = await fetch(`${url}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	if (!res.ok) throw new N8nApiError(method, `${url}${p}`, res.status, text);
	return (text ? JSON.parse(text) : undefined) as T;
}

export function webhookUrl(url: string, webhookPath: string): string {
	return `${url}/webhook/${webhookPath.replace(/^\/+/, '')}`;
}

/**
 * A public-API client for an n8n at `url`; usable on its own, e.g. by the bench against a running
 * n8n. `webhookBase` is where production webhooks are served when that is another process (queue
 * mode's webhook process); default `url`.
 */
export function createN8nApi(url: string, apiKey: string, webhookBase = url): N8nApi {
	const request = async <T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T> => {
		const headers: Record<string, string> = { 'X-N8N-API-KEY': apiKey, accept: 'application/json' };
		if (body !== undefined) headers['content-type'] = 'application/json';
		const full = `${url}/api/v1${apiPath}`;
		const res = await fetch(full, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await res.text();
		if (!res.ok) throw new N8nApiError(method, full, res.status, text);
		return (text ? JSON.parse(text) : undefined) as T;
	};

	const listExecutions = async (query: ListExecutionsQuery = {}): Promise<N8nExecution[]> => {
		const all: N8nExecution[] = [];
		let cursor: string | undefined;
		do {
			const params = new URLSearchParams({ limit: '250', includeData: String(query.includeData ?? false) });
			if (query.workflowId) params.set('workflowId', query.workflowId);
			if (query.status) params.set('status', query.status);
			if (cursor) params.set('cursor', cursor);
			const page = await request<{ data: N8nExecution[]; nextCursor?: string | null }>('GET', `/executions?${params}`);
			all.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return all;
	};

	const activateWorkflow = async (id: string): Promise<void> => {
		// /activate still exists but is deprecated in 2.x; /publish is its replacement.
		await request('POST', `/workflows/${encodeURIComponent(id)}/publish`, {});
	};

	const createWorkflow = async (workflow: WorkflowJson): Promise<{ id: string }> => {
		const created = await request<{ id: string }>('POST', '/workflows', toWritableWorkflow(workflow));
		return { id: created.id };
	};

	return {
		request,
		listExecutions,
		activateWorkflow,
		createWorkflow,
		async createCredential(input) {
			const created = await request<{ id: string }>('POST', '/credentials', input);
			return { id: created.id };
		},
		async deleteCredential(id) {
			await request('DELETE', `/credentials/${encodeURIComponent(id)}`);
		},
		async deactivateWorkflow(id) {
			await request('POST', `/workflows/${encodeURIComponent(id)}/unpublish`);
		},
		async getExecution(id, includeData = false) {
			return await request<N8nExecution>('GET', `/executions/${encodeURIComponent(id)}?includeData=${includeData}`);
		},
		async waitForExecutions(workflowId, count, opts = {}) {
			const timeoutMs = opts.timeoutMs ?? 30_000;
			const deadline = Date.now() + timeoutMs;
			let finished: N8nExecution[] = [];
			while (Date.now() < deadline) {
				finished = (await listExecutions({ workflowId })).filter(isFinished);
				if (finished.length >= count) break;
				await sleep(POLL_INTERVAL_MS);
			}
			if (finished.length < count) {
				throw new Error(`workflow ${workflowId}: ${finished.length} of ${count} executions finished within ${timeoutMs} ms`);
			}
			if (opts.includeData !== false) {
				finished = (await listExecutions({ workflowId, includeData: true })).filter(isFinished);
			}
			return finished.sort((a, b) => Number(a.id) - Number(b.id));
		},
		async countSettledExecutions(workflowId, opts = {}) {
			const timeoutMs = opts.timeoutMs ?? 30_000;
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const unfinished = [
					...(await listExecutions({ workflowId, status: 'running' })),
					...(await listExecutions({ workflowId, status: 'new' })),
				];
				if (unfinished.length === 0) return (await listExecutions({ workflowId })).filter(isFinished).length;
				if (Date.now() > deadline) throw new Error(`workflow ${workflowId}: ${unfinished.length} executions still running after ${timeoutMs} ms`);
				await sleep(POLL_INTERVAL_MS);
			}
		},
		async importWorkflowFile(file, credentialIdsByName = {}) {
			const workflow = JSON.parse(readFileSync(resolveWorkflowFile(file), 'utf8')) as WorkflowJson;
			workflow.name ??= path.basename(file, '.json');
			pointCredentialsAt(workflow, credentialIdsByName);
			const { id } = await createWorkflow(workflow);
			await activateWorkflow(id);
			return { id };
		},
		async waitForWebhook(webhookPath, method = 'POST', opts = {}) {
			const timeoutMs = opts.timeoutMs ?? 30_000;
			const deadline = Date.now() + timeoutMs;
			let last = 0;
			while (Date.now() < deadline) {
				last = await probeWebhook(webhookUrl(webhookBase, webhookPath), method, url);
				if (last >= 200 && last < 300) return;
				await sleep(POLL_INTERVAL_MS);
			}
			throw new Error(`webhook ${method} ${webhookPath} still answers ${last} after ${timeoutMs} ms`);
		},
	};
}

/**
 * A CORS preflight asks n8n whether (path, method) is registered without running the workflow
 * (a real request would start an execution and throw off execution counts). With an Origin header
 * n8n 2.41.1 looks the webhook up: 204 once registered, 500 before (its not-found error escapes the
 * CORS code). A plain OPTIONS always answers 204, so the Origin header is what makes this a probe.
 */
async function probeWebhook(target: string, method: string, origin: string): Promise<number> {
	const res = await fetch(target, {
		method: 'OPTIONS',
		headers: { origin, 'access-control-request-method': method.toUpperCase() },
		signal: AbortSignal.timeout(5_000),
	}).catch(() => undefined);
	await res?.body?.cancel();
	return res?.status ?? 0;
}

const FINISHED_STATUSES = new Set(['success', 'error', 'crashed', 'canceled']);

function isFinished(execution: N8nExecution): boolean {
	return FINISHED_STATUSES.has(execution.status);
}

// What CreateWorkflowPublicDto (2.41.1) accepts: it is strict, and id, active, versionId, meta,
// tags, createdAt, updatedAt, isArchived, triggerCount and activeVersion are read-only (rejected).
// pinData is accepted but production executions ignore it, so it is dropped too.
const WORKFLOW_KEYS = ['name', 'nodes', 'connections', 'settings', 'staticData', 'nodeGroups'];
const NODE_KEYS = [
	'id', 'name', 'webhookId', 'disabled', 'notesInFlow', 'notes', 'type', 'typeVersion', 'executeOnce',
	'alwaysOutputData', 'retryOnFail', 'maxTries', 'waitBetweenTries', 'continueOnFail', 'onError',
	'position', 'parameters', 'credentials',
];
const SETTINGS_KEYS = [
	'saveExecutionProgress', 'saveManualExecutions', 'saveDataErrorExecution', 'saveDataSuccessExecution',
	'executionTimeout', 'errorWorkflow', 'timezone', 'executionOrder', 'binaryMode', 'callerPolicy', 'callerIds',
	'timeSavedMode', 'timeSavedPerExecution', 'redactionPolicy', 'availableInMCP',
];

/** A workflow as exported from the editor, cut down to what the public API accepts on create. */
export function toWritableWorkflow(workflow: WorkflowJson): Record<string, unknown> {
	const writable = pick(workflow, WORKFLOW_KEYS);
	writable.name ??= 'Untitled workflow';
	writable.nodes = workflow.nodes.map((node) => pick(node, NODE_KEYS));
	writable.settings = { executionOrder: 'v1', ...pick(workflow.settings ?? {}, SETTINGS_KEYS) };
	return writable;
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
	return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

/** Our shipped workflows name their credentials; ids differ per instance, names do not. */
/**
 * Runs a saved workflow once from one of its triggers, as the editor's "Test workflow" does
 * (POST /rest/workflows/:id/run, ManualRunDto in 2.41.1): a polling trigger polls at once, in
 * manual mode. Returns the execution's id; the run goes on in n8n.
 */
export async function runManually(n8n: N8n, workflowId: string, triggerName: string): Promise<string> {
	const answer = await restJson<{ data?: { executionId?: string }; executionId?: string }>(
		n8n.url,
		'POST',
		`/rest/workflows/${workflowId}/run`,
		{ triggerToStartFrom: { name: triggerName } },
		n8n.authCookie,
	);
	const executionId = answer.data?.executionId ?? answer.executionId;
	if (!executionId) throw new Error(`POST /rest/workflows/${workflowId}/run started no execution: ${JSON.stringify(answer)}`);
	return String(executionId);
}

/** Puts the given credential ids on every node's credential references, by credential name. */
export function pointCredentialsAt(workflow: WorkflowJson, idsByName: Record<string, string>): void {
	for (const node of workflow.nodes) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			const id = idsByName[ref.name];
			if (id === undefined) {
				throw new Error(`node "${node.name}" uses ${type} credential "${ref.name}", which was not given (have: ${Object.keys(idsByName).join(', ') || 'none'})`);
			}
			node.credentials![type] = { id, name: ref.name };
		}
	}
}

function resolveWorkflowFile(file: string): string {
	if (path.isAbsolute(file)) return file;
	const inWorkflows = path.join(repoRoot, 'workflows', file);
	return existsSync(inWorkflows) ? inWorkflows : path.join(repoRoot, file);
}

/** The items a node put on one of its outputs in its first (or given) run. */
export function nodeOutput(execution: N8nExecution, nodeName: string, output = 0, run = 0): Array<Record<string, unknown>> {
	const runs = execution.data?.resultData.runData[nodeName];
	if (!runs) throw new Error(`execution ${execution.id} has no run of node "${nodeName}" (did you fetch it with data?)`);
	return (runs[run]?.data?.main?.[output] ?? []).map((item) => item.json);
}

export function once<T>(fn: () => Promise<T>): () => Promise<T> {
	let result: Promise<T> | undefined;
	return () => (result ??= fn());
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
