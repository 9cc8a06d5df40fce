/**
 * Availability answers cached in Redis, never stale after a change.
 *
 * Every key carries the hotel's current *version* (`…:avail:<hotel>:v<n>:<query>`). A change to
 * inventory, rates or reservations bumps the version after it commits, so the next read misses
 * and recomputes; old entries are never read again and expire with their TTL. No KEYS scans, no
 * deletes. A read that raced a change can only write under the old version, which nobody reads.
 * When Redis is down, reads are computed from the database (and say so).
 */
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

export interface CacheOptions {
	keyPrefix?: string;
	hotel?: string;
	ttlSeconds?: number;
}

export class AvailabilityCache {
	private readonly base: string;
	private readonly ttl: number;

	constructor(
		private readonly redis: Redis,
		opts: CacheOptions = {},
	) {
		this.base = `${opts.keyPrefix ?? 'hotel:'}avail:${opts.hotel ?? 'main'}:`;
		this.ttl = opts.ttlSeconds ?? 300;
	}

	async get<T>(query: unknown, compute: () => Promise<T>): Promise<{ value: T; cache: 'hit' | 'miss' | 'unavailable' }> {
		let key: string;
		try {
			const version = (await this.redis.get(`${this.base}version`)) ?? '0';
			key = `${this.base}v${version}:${createHash('sha256').update(stableJson(query)).digest('hex').slice(0, 32)}`;
			const hit = await this.redis.get(key);
			if (hit !== null) return { value: JSON.parse(hit) as T, cache: 'hit' };
		} catch {
			return { value: await compute(), cache: 'unavailable' };
		}
		const value = await compute();
		await this.redis.set(key, JSON.stringify(value), 'EX', this.ttl).catch(() => undefined);
		return { value, cache: 'miss' };
	}

	/** Call after a change has committed. */
	async invalidate(): Promise<void> {
		await this.redis.incr(`${this.base}version`);
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
