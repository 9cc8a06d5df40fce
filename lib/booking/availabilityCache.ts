/**
 * Availability answers cached in Redis, never stale after a change.
 *
 * Every key carries the hotel's data *version* (`…:avail:<hotel>:v<n>:<query>`), read from the
 * store, where every change to inventory, rates or reservations bumps it in its own transaction.
 * So the first read after a committed change misses and recomputes, whichever process or workflow
 * made the change; old entries are never read again and expire with their TTL. No KEYS scans, no
 * deletes. A read that raced a change can only write under the old version, which nobody reads.
 * When Redis is down, reads are computed from the database (and say so).
 */
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

export interface CacheOptions {
	keyPrefix?: string;
	hotel?: string;
	ttlSeconds?: number;
	/** Keeps different kinds of answers apart under the same version (e.g. 'api' for whole HTTP answers). */
	namespace?: string;
}

export class AvailabilityCache {
	private readonly base: string;
	private readonly ttl: number;
	private readonly namespace: string;

	constructor(
		private readonly redis: Redis,
		/** The store's data version (see dataVersion in lib/inventory/catalog.ts). */
		private readonly version: () => Promise<string>,
		opts: CacheOptions = {},
	) {
		this.base = `${opts.keyPrefix ?? 'hotel:'}avail:${opts.hotel ?? 'main'}:`;
		this.ttl = opts.ttlSeconds ?? 300;
		this.namespace = opts.namespace ? `${opts.namespace}:` : '';
	}

	async get<T>(query: unknown, compute: () => Promise<T>): Promise<{ value: T; cache: 'hit' | 'miss' | 'unavailable' }> {
		const found = await this.lookup(query);
		if (!found) return { value: await compute(), cache: 'unavailable' };
		if (found.hit !== undefined) return { value: JSON.parse(found.hit) as T, cache: 'hit' };
		const value = await compute();
		await this.store(found.key, JSON.stringify(value));
		return { value, cache: 'miss' };
	}

	/**
	 * The key for this query under the current version, and the cached text if there is one;
	 * undefined when Redis cannot be asked. Read the version *before* computing: an answer stored
	 * under an old version is never read again.
	 */
	async lookup(query: unknown): Promise<{ key: string; hit?: string } | undefined> {
		const version = await this.version();
		try {
			const key = `${this.base}v${version}:${this.namespace}${createHash('sha256').update(stableJson(query)).digest('hex').slice(0, 32)}`;
			const hit = await this.redis.get(key);
			return { key, hit: hit ?? undefined };
		} catch {
			return undefined;
		}
	}

	async store(key: string, text: string): Promise<void> {
		await this.redis.set(key, text, 'EX', this.ttl).catch(() => undefined);
	}
}

/** JSON with sorted keys, so equal queries make equal keys. */
export function stableJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	if (value && typeof value === 'object') {
		return `{${Object.keys(value as object)
			.sort()
			.filter((k) => (value as Record<string, unknown>)[k] !== undefined)
			.map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value);
}

/**
 * The body a later request gets from the cache: the same answer, saying so. The workflow's body
 * tells how it was computed (`"cache": "miss"`); served from the cache it must agree with the
 * x-hotel-cache header. Rewritten once when stored, not on every hit.
 */
export function asCacheHit(body: string): string {
	try {
		const json = JSON.parse(body) as unknown;
		if (json && typeof json === 'object' && !Array.isArray(json) && 'cache' in json) return JSON.stringify({ ...json, cache: 'hit' });
	} catch {
		// not JSON: kept as it is
	}
	return body;
}
