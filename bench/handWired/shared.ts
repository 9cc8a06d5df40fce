/**
 * What both hand-wired baselines need: n8n's own PostgreSQL credential pointing at a hotel database,
 * and that database migrated to our schema before a hand-wired workflow (which runs no migrations)
 * touches it.
 */
import { Client } from 'pg';
import type { N8n } from '../../scripts/n8n';
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
