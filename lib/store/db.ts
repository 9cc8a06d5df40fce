/**
 * The one store: PostgreSQL when the hotel gives us one, otherwise an embedded PostgreSQL (PGlite)
 * kept in the n8n user folder. Both speak the same SQL and run the same migrations, so every
 * repository in lib/ is written once against `Db`.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { Pool, PoolConfig } from 'pg';
import { migrate } from './migrations';
import type { Db, Queryable } from './queryable';

// The store's interfaces live apart so that migrations.ts can use them without importing this file.
export type { Db, Queryable } from './queryable';

export type StoreConfig =
	| { kind: 'postgres'; host: string; port: number; database: string; user: string; password?: string; ssl?: boolean; maxConnections?: number }
	| { kind: 'embedded'; dir?: string };

/** Where the embedded database lives unless told otherwise: beside n8n's own data. */
export function defaultEmbeddedDir(): string {
	if (process.env.HOTEL_EMBEDDED_DB_DIR) return process.env.HOTEL_EMBEDDED_DB_DIR;
	const n8nFolder = path.join(process.env.N8N_USER_FOLDER ?? homedir(), '.n8n');
	return path.join(n8nFolder, 'hotel-integrations', 'pgdata');
}

class PostgresDb implements Db {
	readonly kind = 'postgres';
	constructor(private readonly pool: Pool) {}

	async query<T>(sql: string, params: unknown[] = []) {
		const result = await this.pool.query(sql, params);
		return { rows: result.rows as T[] };
	}

	async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
		const client = await this.pool.connect();
		try {
			await client.query('BEGIN');
			const tx: Queryable = {
				query: async <R>(sql: string, params: unknown[] = []) => ({ rows: (await client.query(sql, params)).rows as R[] }),
			};
			const result = await fn(tx);
			await client.query('COMMIT');
			return result;
		} catch (error) {
			await client.query('ROLLBACK').catch(() => undefined);
			throw error;
		} finally {
			client.release();
		}
	}

	async close() {
		await this.pool.end();
	}
}

// PGlite's types are only needed here; it is loaded lazily so a PostgreSQL user never pays for it.
type PGliteInstance = {
	query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
	transaction<T>(fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>): Promise<T>;
	close(): Promise<void>;
};

class EmbeddedDb implements Db {
	readonly kind = 'embedded';
	constructor(private readonly pg: PGliteInstance) {}

	async query<T>(sql: string, params: unknown[] = []) {
		return { rows: (await this.pg.query<T>(sql, params)).rows };
	}

	async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
		// PGlite has one connection: its transaction() queues other queries until this one ends.
		return this.pg.transaction((tx) => fn({ query: async <R>(sql: string, params: unknown[] = []) => ({ rows: (await tx.query<R>(sql, params)).rows }) }));
	}

	async close() {
		await this.pg.close();
	}
}

async function open(config: StoreConfig): Promise<Db> {
	if (config.kind === 'postgres') {
		const poolConfig: PoolConfig = {
			host: config.host,
			port: config.port,
			database: config.database,
			user: config.user,
			password: config.password || undefined,
			ssl: config.ssl ? { rejectUnauthorized: true } : undefined,
			max: config.maxConnections ?? 10,
			connectionTimeoutMillis: 10_000,
		};
		const pool = new Pool(poolConfig);
		// An idle client that loses its connection must not crash n8n's process.
		pool.on('error', () => undefined);
		return new PostgresDb(pool);
	}
	const dir = config.dir ?? defaultEmbeddedDir();
	mkdirSync(dir, { recursive: true });
	const { PGlite } = await import('@electric-sql/pglite');
	const pg = (await PGlite.create(dir)) as unknown as PGliteInstance;
	return new EmbeddedDb(pg);
}

const openStores = new Map<string, Promise<Db>>();

function cacheKey(config: StoreConfig): string {
	if (config.kind === 'embedded') return `embedded:${path.resolve(config.dir ?? defaultEmbeddedDir())}`;
	return `postgres:${config.user}@${config.host}:${config.port}/${config.database}:${config.ssl ? 'ssl' : 'plain'}`;
}

/**
 * The store for this configuration, opened and migrated once per process and then shared by every
 * execution (a pool for PostgreSQL; PGlite allows one opener per folder anyway).
 */
export function getStore(config: StoreConfig): Promise<Db> {
	const key = cacheKey(config);
	let store = openStores.get(key);
	if (!store) {
		store = open(config).then(async (db) => {
			await migrate(db);
			return db;
		});
		// A failed open (wrong password, server down) must be retried by the next execution.
		store.catch(() => openStores.delete(key));
		openStores.set(key, store);
	}
	return store;
}

/** Closes every store this process opened (tests, and graceful shutdown of our own scripts). */
export async function closeAllStores(): Promise<void> {
	const stores = [...openStores.values()];
	openStores.clear();
	await Promise.all(stores.map(async (s) => (await s.catch(() => undefined))?.close()));
}
