/**
 * The shipped workflows as a hotel's IT would configure them: read from workflows/, optionally
 * switched from the embedded database to the hotel PostgreSQL credential, written to a temp file
 * for the launcher to import. Nothing else in them is changed.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { N8n } from '../../scripts/n8n';
import type { WorkflowJson } from '../../scripts/n8nApi';
import type { TestDatabase } from './services';

export const POSTGRES_CREDENTIAL_NAME = 'Hotel PostgreSQL';

export function shippedWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'workflows', file), 'utf8')) as WorkflowJson;
}

/** This package's nodes that keep records in the hotel store (they show the Database parameter). */
const STORE_NODES = new Set(
	['bookingEngineTrigger', 'emailQueueTrigger', 'hotelEmail', 'hotelEventTrigger', 'hotelPayment', 'hotelReservations', 'integrationHealth', 'otaBookingTrigger', 'otaChannel', 'otaWebhookTrigger', 'paymentWebhookTrigger', 'squareWebhookTrigger'].map(
		(name) => `n8n-nodes-hotel-integrations.${name}`,
	),
);

/**
 * Points every hotel store node at the Hotel PostgreSQL credential (the per-node override). The
 * shipped workflows name no store: they use the n8n instance's (HOTEL_DATABASE_URL, else embedded).
 */
export function usePostgres(workflow: WorkflowJson): WorkflowJson {
	for (const node of workflow.nodes) {
		// The calendar uses the store only to catch up.
		const calendarCatchUp = node.type === 'n8n-nodes-hotel-integrations.hotelCalendar' && node.parameters?.operation === 'syncChanged';
		if (STORE_NODES.has(node.type) || calendarCatchUp) {
			node.parameters = { ...(node.parameters ?? {}), database: 'postgres' };
			node.credentials = { ...(node.credentials ?? {}), hotelPostgresApi: { name: POSTGRES_CREDENTIAL_NAME } };
		}
	}
	return workflow;
}

/** postgres://… for a test database: what HOTEL_DATABASE_URL names on an n8n that keeps its hotel there. */
export function databaseUrl(database: TestDatabase): string {
	const { config } = database;
	const auth = `${encodeURIComponent(config.user)}${config.password ? `:${encodeURIComponent(config.password)}` : ''}`;
	return `postgres://${auth}@${config.host}:${config.port}/${encodeURIComponent(config.database)}`;
}

export function writeTempWorkflow(workflow: WorkflowJson): string {
	const file = path.join(mkdtempSync(path.join(tmpdir(), 'hotel-wf-')), 'workflow.json');
	writeFileSync(file, JSON.stringify(workflow));
	return file;
}

/** The *Hotel PostgreSQL* credential the shipped workflows name, pointing at a test database; returns its id. */
export async function createPostgresCredential(n8n: N8n, database: TestDatabase): Promise<string> {
	const { config } = database;
	const created = await n8n.api.createCredential({
		name: POSTGRES_CREDENTIAL_NAME,
		type: 'hotelPostgresApi',
		data: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '', ssl: false },
	});
	return created.id;
}

/** The shipped guest notifications with the e-mail queue worked every second, the calendar left out. */
export function notificationsWithoutCalendar(workflow: WorkflowJson): WorkflowJson {
	const calendar = new Set(workflow.nodes.filter((n) => n.type.endsWith('.hotelCalendar')).map((n) => n.name));
	// The trigger that feeds only the calendar goes with it.
	for (const [from, outputs] of Object.entries(workflow.connections)) {
		if (JSON.stringify(outputs).match(/"node":"([^"]+)"/g)?.every((m) => calendar.has(m.slice(8, -1)))) calendar.add(from);
	}
	workflow.nodes = workflow.nodes.filter((n) => !calendar.has(n.name));
	for (const node of workflow.nodes) {
		if (node.type.endsWith('.emailQueueTrigger')) node.parameters = { ...node.parameters, intervalSeconds: 1 };
	}
	const names = new Set(workflow.nodes.map((n) => n.name));
	workflow.connections = Object.fromEntries(Object.entries(workflow.connections).filter(([from]) => names.has(from)));
	return workflow;
}
