/**
 * The real services the integration and e2e tests use: PostgreSQL and Redis on 127.0.0.1.
 * Each test file gets a database of its own (created here, dropped after) and a Redis key prefix
 * of its own, so files never see each other's rows or keys.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { closeAllStores, getStore, type Db, type StoreConfig } from '../../lib/store/db';
import type { RedisConfig } from '../../lib/store/redis';

export const PG = { host: '127.0.0.1', port: 5432, user: process.env.PGUSER ?? 'postgres', password: process.env.PGPASSWORD };
export const REDIS: RedisConfig = { host: '127.0.0.1', port: 6379 };

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
	const client = new Client({ ...PG, database: 'postgres' });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

export interface TestDatabase {
	name: string;
	config: Extract<StoreConfig, { kind: 'postgres' }>;
	drop(): Promise<void>;
}

export async function createTestDatabase(label = 'it'): Promise<TestDatabase> {
	const name = `hotel_${label}_${randomBytes(4).toString('hex')}`;
	await admin((c) => c.query(`CREATE DATABASE ${name}`));
	return {
		name,
		config: { kind: 'postgres', host: PG.host, port: PG.port, user: PG.user, password: PG.password, database: name },
		drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
	};
}

export function uniqueRedisPrefix(label = 'it'): string {
	return `hotel-test:${label}:${randomBytes(4).toString('hex')}:`;
}

/** After a file: ends its own connection, closes the stores and drops its database (what was never opened is skipped). */
export async function closeTestDatabase(database: TestDatabase | undefined, sql?: Client): Promise<void> {
	await sql?.end();
	await closeAllStores();
	await database?.drop();
}

export interface TestStore {
	database: TestDatabase;
	db: Db;
	/** Closes the stores and drops the database. */
	close(): Promise<void>;
}

/** A database of the file's own and the store on it (migrated), pooled as `options` say. */
export async function openTestStore(label: string, options: { maxConnections?: number } = {}): Promise<TestStore> {
	const database = await createTestDatabase(label);
	const db = await getStore({ ...database.config, ...options });
	return { database, db, close: () => closeTestDatabase(database) };
}
