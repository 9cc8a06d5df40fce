/**
 * A client for a running n8n, and what goes with it. scripts/n8n.ts starts an n8n and hands one back
 * as `n8n.api`; it is usable on its own too, e.g. by the bench against an n8n that is already running.
 *
 *  - createN8nApi: the public API (/api/v1, X-N8N-API-KEY): credentials, workflows (create, publish,
 *    import a workflow file), executions (list, wait for, count settled ones) and waiting for a
 *    production webhook to be registered.
 *  - runManually and restJson: the internal /rest API, with the owner's session cookie (the launcher
 *    sets the owner up and creates the API key through restJson).
 *  - Workflow JSON as the public API accepts it, credential references by name, a node's output
 *    in an execution, webhook URLs.
 * Everything that is specific to n8n 2.41.1 (endpoints, request bodies) is noted where it is used.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(__dirname, '..');
const POLL_INTERVAL_MS = 200;

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

/**
 * Runs a saved workflow once from one of its triggers, as the editor's "Test workflow" does
 * (POST /rest/workflows/:id/run, ManualRunDto in 2.41.1): a polling trigger polls at once, in
 * manual mode. Returns the execution's id; the run goes on in n8n. `n8n` is what startN8n or
 * startN8nQueue handed back (its URL and the owner's session cookie).
 */
export async function runManually(n8n: { url: string; authCookie: string }, workflowId: string, triggerName: string): Promise<string> {
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

/**
 * Puts the given credential ids on every node's credential references, by credential name: our
 * shipped workflows name their credentials; ids differ per instance, names do not.
 */
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

export function webhookUrl(url: string, webhookPath: string): string {
	return `${url}/webhook/${webhookPath.replace(/^\/+/, '')}`;
}

/** A call to n8n's internal /rest API (JSON in and out), with the owner's session cookie where given. */
export async function restJson<T = unknown>(url: string, method: string, p: string, body?: unknown, cookie?: string): Promise<T> {
	const headers: Record<string, string> = { accept: 'application/json' };
	if (body !== undefined) headers['content-type'] = 'application/json';
	if (cookie) headers.cookie = cookie;
	const res = await fetch(`${url}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	if (!res.ok) throw new N8nApiError(method, `${url}${p}`, res.status, text);
	return (text ? JSON.parse(text) : undefined) as T;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
