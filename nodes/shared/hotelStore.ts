/**
 * How a node reaches the hotel's store and Redis: the parameters and credentials every
 * store-backed node shows, the credential tests, and the functions that turn them into a `Db` or a
 * Redis client. One place, so every node behaves the same.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	IPollFunctions,
	INodeCredentialTestResult,
	ITriggerFunctions,
	INodeProperties,
	IWebhookFunctions,
} from 'n8n-workflow';
import { Client } from 'pg';
import Redis from 'ioredis';
import { NodeOperationError } from 'n8n-workflow';
import { getStore, type Db, type StoreConfig } from '../../lib/store/db';
import { checkStoreForExecutionMode, instanceStoreConfig } from '../../lib/store/instanceStore';
import { getRedis, type RedisConfig } from '../../lib/store/redis';

type NodeContext = IExecuteFunctions | IWebhookFunctions | IPollFunctions | ITriggerFunctions;

export const databaseParameter: INodeProperties = {
	displayName: 'Database',
	name: 'database',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: "This N8n's Hotel Store",
			value: 'instance',
			description: 'The PostgreSQL named by HOTEL_DATABASE_URL on this n8n, else the embedded store. Set once for every workflow.',
		},
		{
			name: 'Embedded (in the N8n User Folder)',
			value: 'embedded',
			description: 'A PostgreSQL built into the package, for this node only. For a single n8n only; not for queue mode.',
		},
		{ name: 'PostgreSQL', value: 'postgres', description: 'For this node only: the hotel PostgreSQL given by a Hotel PostgreSQL credential' },
	],
	default: 'instance',
	description: 'Where the hotel records live. Leave it on the instance setting: a node pointing elsewhere keeps its records apart.',
	hint: 'Going live: set HOTEL_DATABASE_URL on every n8n process to the hotel PostgreSQL (README, "Going live") and leave this on the instance setting',
};

export function postgresConfigFrom(c: ICredentialDataDecryptedObject): StoreConfig {
	return {
		kind: 'postgres',
		host: String(c.host),
		port: Number(c.port ?? 5432),
		database: String(c.database),
		user: String(c.user),
		password: c.password ? String(c.password) : undefined,
		ssl: Boolean(c.ssl),
	};
}

export function redisConfigFrom(c: ICredentialDataDecryptedObject): RedisConfig {
	return {
		host: String(c.host),
		port: Number(c.port ?? 6379),
		username: c.username ? String(c.username) : undefined,
		password: c.password ? String(c.password) : undefined,
		database: Number(c.database ?? 0),
		tls: Boolean(c.tls),
		keyPrefix: c.keyPrefix === undefined ? 'hotel:' : String(c.keyPrefix),
	};
}

/**
 * Credentials for webhook triggers, kept for 60 s per credential id. In n8n 2.41 every
 * getCredentials() inside a webhook costs a fresh expression sandbox (~40 ms of CPU); a payment
 * webhook needs two, on every delivery. A changed secret therefore applies within a minute.
 */
const webhookCredentials = new Map<string, { data: ICredentialDataDecryptedObject; until: number }>();
const WEBHOOK_CREDENTIAL_TTL_MS = 60_000;

export async function credentialsOf(ctx: NodeContext, type: string): Promise<ICredentialDataDecryptedObject> {
	if (!('getRequestObject' in ctx)) return ctx.getCredentials(type);
	const id = ctx.getNode().credentials?.[type]?.id;
	const key = `${type}:${id ?? ctx.getNode().id}`;
	const hit = webhookCredentials.get(key);
	if (hit && hit.until > Date.now()) return hit.data;
	const data = await ctx.getCredentials(type);
	webhookCredentials.set(key, { data, until: Date.now() + WEBHOOK_CREDENTIAL_TTL_MS });
	return data;
}

/** A node-level parameter, read the same way in executions and in triggers (which have no items). */
export function nodeParameter<T>(ctx: NodeContext, name: string, fallback: T): T {
	if ('getInputData' in ctx) return ctx.getNodeParameter(name, 0, fallback) as T;
	return (ctx as IWebhookFunctions).getNodeParameter(name, fallback) as T;
}

/**
 * The store the node's Database parameter names — the instance's (HOTEL_DATABASE_URL, else
 * embedded) unless the node overrides it — opened and migrated once per process.
 */
export async function hotelStore(ctx: NodeContext): Promise<Db> {
	const choice = nodeParameter<string>(ctx, 'database', 'instance');
	const config = choice === 'postgres' ? postgresConfigFrom(await credentialsOf(ctx, 'hotelPostgresApi')) : choice === 'embedded' ? ({ kind: 'embedded' } as const) : instanceStoreConfig();
	try {
		checkStoreForExecutionMode(config);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
	return getStore(config);
}

export async function hotelRedis(ctx: NodeContext): Promise<{ redis: Redis; keyPrefix: string }> {
	const config = redisConfigFrom(await credentialsOf(ctx, 'hotelRedisApi'));
	return { redis: getRedis(config), keyPrefix: config.keyPrefix ?? 'hotel:' };
}

/** The Test button of the Hotel PostgreSQL credential: connect and run one query. */
async function hotelPostgresConnection(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const config = postgresConfigFrom(credential.data ?? {}) as Extract<StoreConfig, { kind: 'postgres' }>;
	const client = new Client({ ...config, ssl: config.ssl ? { rejectUnauthorized: true } : undefined, connectionTimeoutMillis: 5_000 });
	try {
		await client.connect();
		await client.query('SELECT 1');
		return { status: 'OK', message: 'Connected to PostgreSQL' };
	} catch (error) {
		return { status: 'Error', message: `Could not connect to PostgreSQL at ${config.host}:${config.port}: ${(error as Error).message}` };
	} finally {
		await client.end().catch(() => undefined);
	}
}

/** The Test button of the Hotel Redis credential: connect and PING. */
async function hotelRedisConnection(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const config = redisConfigFrom(credential.data ?? {});
	const client = new Redis({
		host: config.host,
		port: config.port,
		username: config.username,
		password: config.password,
		db: config.database,
		tls: config.tls ? {} : undefined,
		lazyConnect: true,
		maxRetriesPerRequest: 0,
		connectTimeout: 5_000,
		retryStrategy: () => null,
	});
	client.on('error', () => undefined);
	try {
		await client.connect();
		await client.ping();
		return { status: 'OK', message: 'Connected to Redis' };
	} catch (error) {
		return { status: 'Error', message: `Could not connect to Redis at ${config.host}:${config.port}: ${(error as Error).message}` };
	} finally {
		client.disconnect();
	}
}

export const storeCredentialTests = { hotelPostgresConnection, hotelRedisConnection };
