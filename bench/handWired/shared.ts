/**
 * What both hand-wired baselines need: n8n's own PostgreSQL credential pointing at a hotel database,
 * and that database migrated to our schema before a hand-wired workflow (which runs no migrations)
 * touches it; the nodes both are made of (Webhook, IF, Postgres query, Respond to Webhook); and deploying
 * the workflow.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { N8n } from '../../scripts/n8n';
import type { WorkflowJson, WorkflowNode } from '../../scripts/n8nApi';
import type { Db, Queryable } from '../../lib/store/db';
import { migrate } from '../../lib/store/migrations';

/** Where the hotel database is: the same fields as a TestDatabase's config (its `kind` is ignored). */
export interface HandWiredDatabase {
	host: string;
	port: number;
	database: string;
	user: string;
	password?: string;
}

/**
 * A credential of n8n's own `postgres` type (Host, Database, User, Password, SSL, Port), as hotel IT
 * fills it in on the Postgres node. Returns its id.
 */
export async function createN8nPostgresCredential(n8n: N8n, name: string, database: HandWiredDatabase): Promise<string> {
	const created = await n8n.api.createCredential({
		name,
		type: 'postgres',
		data: {
			host: database.host,
			port: database.port,
			database: database.database,
			user: database.user,
			password: database.password ?? '',
			ssl: 'disable',
			allowUnauthorizedCerts: false,
			sshTunnel: false,
		},
	});
	return created.id;
}

/**
 * Runs our migrations on the database (what our nodes do on first use), on a connection of its own,
 * so the hand-wired workflow finds the same tables. Idempotent: already applied migrations are skipped.
 */
export async function migrateHotelDatabase(database: HandWiredDatabase): Promise<number[]> {
	const client = new Client({ host: database.host, port: database.port, database: database.database, user: database.user, password: database.password || undefined });
	await client.connect();
	try {
		const query: Queryable['query'] = async <T>(sql: string, params: unknown[] = []) => ({ rows: (await client.query(sql, params)).rows as T[] });
		const db: Db = {
			kind: 'postgres',
			query,
			async transaction(fn) {
				await client.query('BEGIN');
				try {
					const result = await fn({ query });
					await client.query('COMMIT');
					return result;
				} catch (error) {
					await client.query('ROLLBACK').catch(() => undefined);
					throw error;
				}
			},
			close: async () => undefined,
		};
		return await migrate(db);
	} finally {
		await client.end();
	}
}

/** Quotes a string for a JavaScript expression inside an n8n parameter. */
export function js(value: string): string {
	return JSON.stringify(value);
}

export interface HandWiredTarget {
	workflowId: string;
	/** The production webhook URL. */
	url: string;
	/** What follows /webhook/ (for n8n.api.waitForWebhook). */
	path: string;
	credentialIds: Record<string, string>;
}

/** Creates the workflow through n8n's public API, activates it and waits until its webhook answers. */
export async function deployHandWired(n8n: N8n, workflow: WorkflowJson, path: string, method: 'GET' | 'POST', credentialIds: Record<string, string>): Promise<HandWiredTarget> {
	const { id } = await n8n.api.createWorkflow(workflow);
	await n8n.api.activateWorkflow(id);
	await n8n.api.waitForWebhook(path, method);
	return { workflowId: id, url: n8n.webhookUrl(path), path, credentialIds };
}

type Position = [number, number];

/** The Webhook node (2) the workflow starts with, at the left; its `parameters` say the method, path and how it answers. */
export function webhookNode(id: string, name: string, parameters: Record<string, unknown>, credentials?: WorkflowNode['credentials']): WorkflowNode {
	return { id, name, type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 200], webhookId: randomUUID(), parameters, ...(credentials ? { credentials } : {}) };
}

/** An IF node (2.2) whose true output is taken when every one of `conditions` holds (strict types, case-sensitive). */
export function ifAllNode(id: string, name: string, position: Position, conditions: unknown[]): WorkflowNode {
	return {
		id,
		name,
		type: 'n8n-nodes-base.if',
		typeVersion: 2.2,
		position,
		parameters: {
			conditions: { options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 }, conditions, combinator: 'and' },
			options: {},
		},
	};
}

/** A Postgres node (2.6) that runs one statement, its $1, $2, … from the `queryReplacement` expression. */
export function postgresQueryNode(
	id: string,
	name: string,
	position: Position,
	o: { query: string; queryReplacement: string; credential: { id: string; name: string }; errorOutput?: boolean },
): WorkflowNode {
	return {
		id,
		name,
		type: 'n8n-nodes-base.postgres',
		typeVersion: 2.6,
		position,
		...(o.errorOutput ? { onError: 'continueErrorOutput' } : {}),
		parameters: { operation: 'executeQuery', query: o.query, options: { queryReplacement: o.queryReplacement } },
		credentials: { postgres: o.credential },
	};
}

/** A Respond to Webhook node: the given `parameters` (what to answer with) and the status code. */
export function respondNode(id: string, name: string, typeVersion: number, position: Position, responseCode: number, parameters: Record<string, unknown>): WorkflowNode {
	return { id, name, type: 'n8n-nodes-base.respondToWebhook', typeVersion, position, parameters: { ...parameters, options: { responseCode } } };
}

