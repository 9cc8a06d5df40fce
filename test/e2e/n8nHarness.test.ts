/**
 * The launcher (scripts/n8n.ts) against a real n8n: start, public API, webhooks, executions, stop.
 * Only n8n's own nodes are used, so a failure here is about the harness, not about our nodes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput, type WorkflowJson } from '../../scripts/n8nApi';

const repoRoot = path.resolve(__dirname, '..', '..');

// The first start on a fresh user folder runs every migration (~10-15 s here); a cold host install
// would take minutes more, which ensureHost() prints.
const START_TIMEOUT_MS = 300_000;
const TEST_TIMEOUT_MS = 60_000;

describe('n8n harness (scripts/n8n.ts)', () => {
	let n8n: N8n;
	let scratch: string;

	beforeAll(async () => {
		scratch = mkdtempSync(path.join(os.tmpdir(), 'n8n-harness-test-'));
		buildPackageIfMissing();
		n8n = await startN8n();
	}, START_TIMEOUT_MS);

	afterAll(async () => {
		await n8n?.stop();
		rmSync(scratch, { recursive: true, force: true });
	}, 60_000);

	it('serves on 127.0.0.1 with the package linked under its real name', async () => {
		expect(n8n.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(n8n.webhookUrl('/a/b')).toBe(`${n8n.url}/webhook/a/b`);
		const link = path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-hotel-integrations');
		expect(path.resolve(readlinkSync(link))).toBe(repoRoot);
		// n8n lists loaded node types (for a logged-in user) in /types/nodes.json.
		const res = await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie: n8n.authCookie } });
		const types = (await res.json()) as Array<{ name: string }>;
		expect(types.some((t) => t.name.startsWith('n8n-nodes-hotel-integrations.'))).toBe(true);
	});

	it('runs a Webhook -> No Operation workflow created through the public API', async () => {
		const { id } = await n8n.api.createWorkflow(webhookToNoOp('harness-echo'));
		await n8n.api.activateWorkflow(id);
		await n8n.api.waitForWebhook('harness-echo', 'POST');
		// Probing must not have started an execution.
		expect(await n8n.api.listExecutions({ workflowId: id })).toEqual([]);

		const res = await postJson(n8n.webhookUrl('harness-echo'), { reservation: 'R-1001', nights: 3 });
		expect(res.status).toBe(200);

		const [execution] = await n8n.api.waitForExecutions(id, 1, { timeoutMs: 20_000 });
		expect(execution).toMatchObject({ workflowId: id, mode: 'webhook', status: 'success', finished: true });
		expect(nodeOutput(execution, 'No Operation')).toEqual([
			expect.objectContaining({ body: { reservation: 'R-1001', nights: 3 } }),
		]);

		const again = await n8n.api.getExecution(execution.id, true);
		expect(again.data?.resultData.lastNodeExecuted).toBe('No Operation');
		await n8n.api.deactivateWorkflow(id);
	}, TEST_TIMEOUT_MS);

	it('imports an exported workflow file and points its credentials at ours by name', async () => {
		const credential = await n8n.api.createCredential({
			name: 'Harness Header Auth',
			type: 'httpHeaderAuth',
			data: { name: 'X-Hotel-Key', value: 'secret-1' },
		});
		const file = path.join(scratch, 'header-auth.json');
		writeFileSync(file, JSON.stringify(exportedHeaderAuthWorkflow()));

		const { id } = await n8n.api.importWorkflowFile(file, { 'Harness Header Auth': credential.id });
		await n8n.api.waitForWebhook('harness-auth', 'POST');

		// Wrong key: the Webhook node rejects it before any execution starts.
		const denied = await postJson(n8n.webhookUrl('harness-auth'), { x: 1 }, { 'X-Hotel-Key': 'wrong' });
		expect(denied.status).toBe(403);
		const allowed = await postJson(n8n.webhookUrl('harness-auth'), { x: 2 }, { 'X-Hotel-Key': 'secret-1' });
		expect(allowed.status).toBe(200);

		const executions = await n8n.api.waitForExecutions(id, 1, { timeoutMs: 20_000 });
		expect(executions).toHaveLength(1);
		expect(nodeOutput(executions[0], 'No Operation')[0]).toMatchObject({ body: { x: 2 } });

		await n8n.api.deactivateWorkflow(id);
		await n8n.api.deleteCredential(credential.id);
	}, TEST_TIMEOUT_MS);

	it('refuses a workflow whose credential name was not given', async () => {
		const file = path.join(scratch, 'unmapped.json');
		writeFileSync(file, JSON.stringify(exportedHeaderAuthWorkflow()));
		await expect(n8n.api.importWorkflowFile(file, {})).rejects.toThrow(/"Harness Header Auth"/);
	});

	// Runs last on purpose: it stops the shared instance (afterAll's stop() is then a no-op).
	it('stop() ends n8n and removes the temp user folder it created', async () => {
		await n8n.stop();
		expect(existsSync(n8n.userFolder)).toBe(false);
		await expect(fetch(`${n8n.url}/healthz`)).rejects.toThrow();
	}, 60_000);
});

function webhookToNoOp(webhookPath: string): WorkflowJson {
	return {
		name: `Harness ${webhookPath}`,
		nodes: [
			{
				id: 'f0f0f0f0-0000-4000-8000-000000000001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `harness-${webhookPath}`,
				parameters: { httpMethod: 'POST', path: webhookPath, options: {} },
			},
			{
				id: 'f0f0f0f0-0000-4000-8000-000000000002',
				name: 'No Operation',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: { Webhook: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** As the editor exports it: with the fields the public API refuses, and another instance's credential id. */
function exportedHeaderAuthWorkflow(): WorkflowJson {
	const workflow = webhookToNoOp('harness-auth');
	workflow.nodes[0].parameters = { httpMethod: 'POST', path: 'harness-auth', authentication: 'headerAuth', options: {} };
	workflow.nodes[0].credentials = { httpHeaderAuth: { id: 'id-from-another-instance', name: 'Harness Header Auth' } };
	return {
		...workflow,
		id: 'exported-id',
		active: true,
		versionId: '00000000-0000-4000-8000-000000000000',
		tags: [],
		meta: { instanceId: 'another-instance' },
		pinData: {},
	};
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	await res.text();
	return res;
}

/** The launcher links dist/ but never builds it; build once here so this test runs in a fresh clone. */
function buildPackageIfMissing(): void {
	if (existsSync(path.join(repoRoot, 'dist'))) return;
	execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'n8n-node'), ['build'], { cwd: repoRoot, stdio: 'pipe' });
}
