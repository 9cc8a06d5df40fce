/**
 * One shared Redis connection per configuration and process. Redis is our cache, queue and fast
 * duplicate guard; nothing that must survive lives only here unless the user chose so.
 */
import Redis from 'ioredis';

export interface RedisConfig {
	host: string;
	port: number;
	username?: string;
	password?: string;
	database?: number;
	tls?: boolean;
	/** Prefix for every key we write, so one Redis can serve several hotels or test runs. */
	keyPrefix?: string;
}

const clients = new Map<string, Redis>();

export function getRedis(config: RedisConfig): Redis {
	const key = JSON.stringify([config.host, config.port, config.username ?? '', config.database ?? 0, !!config.tls]);
	let client = clients.get(key);
	if (!client) {
		client = new Redis({
			host: config.host,
			port: config.port,
			username: config.username || undefined,
			password: config.password || undefined,
			db: config.database ?? 0,
			tls: config.tls ? {} : undefined,
			// Fail a command fast when Redis is down instead of queueing it forever.
			maxRetriesPerRequest: 2,
			connectTimeout: 5_000,
			lazyConnect: false,
		});
		// ioredis reconnects by itself; an unhandled 'error' event would crash n8n.
		client.on('error', () => undefined);
		clients.set(key, client);
	}
	return client;
}

export async function closeAllRedis(): Promise<void> {
	const all = [...clients.values()];
	clients.clear();
	await Promise.all(all.map((c) => c.quit().catch(() => c.disconnect())));
}
