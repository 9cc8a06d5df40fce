/**
 * The n8n editor as hotel IT meets it, in a real headless Chromium (Debian's, driven by
 * playwright-core; no browser is downloaded): log in, open every shipped workflow and check that
 * every node renders — ours with our icon, none as an unknown or missing node — then open an
 * execution and a credential form. Screenshots go to test-artifacts/ui/ (two of them are in the
 * README, under docs/images/).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startN8n, type N8n } from '../../scripts/n8n';
import { runManually } from '../../scripts/n8nApi';
import { createSandboxCredentials, startPeers, stopPeers, type Peers } from '../../scripts/sandbox';
import { uniqueRedisPrefix } from '../support/services';
import { waitFor } from '../support/waitFor';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts', 'ui');
const WORKFLOWS = path.join(__dirname, '..', '..', 'workflows');
const PACKAGE = 'n8n-nodes-hotel-integrations';

let n8n: N8n;
let peers: Peers;
let browser: Browser;
let page: Page;
const workflowIds: Record<string, string> = {};
let credentialIds: Record<string, string>;

jest.setTimeout(300_000);

beforeAll(async () => {
	mkdirSync(ARTIFACTS, { recursive: true });
	peers = await startPeers();
	n8n = await startN8n();
	credentialIds = await createSandboxCredentials(n8n, peers, uniqueRedisPrefix('e2e-ui'));
	for (const file of readdirSync(WORKFLOWS).filter((f) => f.endsWith('.json')).sort()) {
		workflowIds[file] = (await n8n.api.importWorkflowFile(file, credentialIds)).id;
	}
	// The flags the machine notes give for a headless Chromium on a closed network, as root.
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
});

afterAll(async () => {
	await browser?.close();
	await n8n?.stop();
	if (peers) await stopPeers(peers);
});

const shot = async (name: string, opts: { keepModal?: boolean } = {}) => {
	// n8n's own "Production Checklist" pop-over, when it shows; Escape would close a modal too.
	if (!opts.keepModal) await page.keyboard.press('Escape');
	await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
};

it('logs in with the owner account', async () => {
	await page.goto(`${n8n.url}/signin`);
	await page.locator('input[type="email"]').fill(n8n.owner.email);
	await page.locator('input[type="password"]').fill(n8n.owner.password);
	await page.locator('input[type="password"]').press('Enter');
	await page.waitForURL((url) => !url.pathname.includes('signin'), { timeout: 60_000 });
	await shot('00-signed-in');
});

describe.each(readdirSync(WORKFLOWS).filter((f) => f.endsWith('.json')).sort())('%s', (file) => {
	it('renders every node, ours with our icon, none unknown', async () => {
		const workflow = JSON.parse(readFileSync(path.join(WORKFLOWS, file), 'utf8')) as { nodes: Array<{ id: string; name: string; type: string }> };
		const nodes = workflow.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote');
		const ours = nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`));
		await page.goto(`${n8n.url}/workflow/${workflowIds[file]}`);
		const canvasNodes = page.locator('[data-test-id="canvas-node"]');
		await waitFor(async () => ((await canvasNodes.count()) >= nodes.length ? true : undefined), 60_000, `${file}: ${nodes.length} nodes on the canvas`);
		// Each of our nodes, found by its id (the canvas's own node id), shows our icon, loaded.
		for (const node of ours) {
			const icon = page.locator(`.vue-flow__node[data-id="${node.id}"] img[src*="${PACKAGE}"]`);
			await icon.first().waitFor({ state: 'visible', timeout: 30_000 });
			expect(await icon.first().evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
		}
		expect(await page.getByText('is not currently installed').count()).toBe(0);
		expect(await page.locator('[data-test-id="canvas-node-status-issues"], .node-icon-question, [data-icon="question"]').count()).toBe(0);
		await shot(`workflow-${path.basename(file, '.json')}`);
	});
});

it('would notice a node n8n does not know: no icon of ours for it (the check above can fail)', async () => {
	const broken = { name: 'UI check: unknown node', nodes: [{ id: 'ui-unknown-1', name: 'Not A Real Node', type: `${PACKAGE}.noSuchNode`, typeVersion: 1, position: [0, 0] as [number, number], parameters: {} }], connections: {}, settings: { executionOrder: 'v1' } };
	const { id } = await n8n.api.createWorkflow(broken);
	await page.goto(`${n8n.url}/workflow/${id}`);
	await page.locator('.vue-flow__node[data-id="ui-unknown-1"]').waitFor({ state: 'visible', timeout: 60_000 });
	await page.waitForTimeout(2_000);
	expect(await page.locator(`.vue-flow__node[data-id="ui-unknown-1"] img[src*="${PACKAGE}"]`).count()).toBe(0);
});

it('opens an execution of a shipped workflow', async () => {
	const id = workflowIds['guest-data-retention.json'];
	const executionId = await runManually(n8n, id, 'Every Night at 3');
	await waitFor(async () => {
		const e = await n8n.api.getExecution(executionId, true);
		return e.finished || e.status === 'error' ? e : undefined;
	}, 60_000);
	await page.goto(`${n8n.url}/workflow/${id}/executions/${executionId}`);
	// The execution's canvas, in the page or in the preview frame n8n may use for it.
	const nodesShown = async () => {
		let most = 0;
		for (const frame of page.frames()) most = Math.max(most, await frame.locator('[data-test-id="canvas-node"]').count().catch(() => 0));
		return most;
	};
	await waitFor(async () => ((await nodesShown()) >= 2 ? true : undefined), 60_000, "the execution's nodes");
	await page.getByText('Succeeded').first().waitFor({ state: 'visible', timeout: 30_000 });
	await page.waitForTimeout(1_000); // the preview fades in
	await shot('execution-guest-data-retention');
});

it('opens a credential form: Hotel Details, with its fields and the hint what to set', async () => {
	await page.goto(`${n8n.url}/home/credentials/${credentialIds['Hotel Details']}`);
	await page.getByText('Time Zone', { exact: false }).first().waitFor({ state: 'visible', timeout: 60_000 });
	expect(await page.getByText('Check-In From').count()).toBeGreaterThan(0);
	// The hint under the time zone tells hotel IT to set n8n's zone too (the schedules follow it).
	const hint = page.getByText('GENERIC_TIMEZONE', { exact: false }).first();
	await hint.waitFor({ state: 'visible', timeout: 30_000 });
	await shot('credential-hotel-details', { keepModal: true });
	// Still open when the picture was taken (it is the one in the README).
	expect(await hint.isVisible()).toBe(true);
});
