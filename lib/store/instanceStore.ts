/**
 * The hotel store of an n8n instance, chosen once for every node of every workflow: the
 * PostgreSQL named by HOTEL_DATABASE_URL, else the embedded store in the n8n user folder. A node
 * may still name its own store (an explicit override), but a hotel that moves to PostgreSQL sets
 * one variable, not every node of every workflow — a node missed would silently keep its
 * reservations in a second database.
 *
 * In queue mode (EXECUTIONS_MODE=queue) each main, worker and webhook process would open an
 * embedded store of its own: refused, with what to set.
 */
import { HotelError } from '../errors';
import type { StoreConfig } from './db';

export const DATABASE_URL_VARIABLE = 'HOTEL_DATABASE_URL';

/** The instance's store, from the environment. */
export function instanceStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
	const url = env[DATABASE_URL_VARIABLE]?.trim();
	if (!url) return { kind: 'embedded' };
	return postgresUrlConfig(url);
}

/** postgres://user:password@host:5432/database?sslmode=require (user and password URL-encoded). */
export function postgresUrlConfig(value: string): StoreConfig {
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw new HotelError('invalid', `${DATABASE_URL_VARIABLE} is not a URL: give postgres://user:password@host:5432/database.`, DATABASE_URL_VARIABLE);
	}
	if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
		throw new HotelError('invalid', `${DATABASE_URL_VARIABLE} must start with postgres:// (got ${url.protocol}//).`, DATABASE_URL_VARIABLE);
	}
	const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
	if (!url.hostname || !database || !url.username) {
		throw new HotelError('invalid', `${DATABASE_URL_VARIABLE} needs a user, a host and a database: postgres://user:password@host:5432/database.`, DATABASE_URL_VARIABLE);
	}
	const sslmode = url.searchParams.get('sslmode');
	return {
		kind: 'postgres',
		host: url.hostname.replace(/^\[|\]$/g, ''),
		port: url.port ? Number(url.port) : 5432,
		database,
		user: decodeURIComponent(url.username),
		password: url.password ? decodeURIComponent(url.password) : undefined,
		ssl: sslmode !== null && sslmode !== 'disable',
	};
}

/** For people: where a store is (never its password). */
export function describeStore(config: StoreConfig): string {
	return config.kind === 'postgres' ? `PostgreSQL at ${config.host}:${config.port}/${config.database}` : 'The embedded database';
}

/** Refuses an embedded store where it would be one of several (queue mode): never a silent second database. */
export function checkStoreForExecutionMode(config: StoreConfig, env: NodeJS.ProcessEnv = process.env): void {
	if (config.kind === 'embedded' && env.EXECUTIONS_MODE === 'queue') {
		throw new HotelError(
			'invalid',
			`n8n runs in queue mode (EXECUTIONS_MODE=queue), where each process would keep its own embedded hotel store. Set ${DATABASE_URL_VARIABLE}=postgres://user:password@host:5432/database on every n8n process (main, workers, webhook), or choose PostgreSQL as this node's Database.`,
			'database',
		);
	}
}
