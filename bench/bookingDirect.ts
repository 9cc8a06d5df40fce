/**
 * The availability query alone, outside n8n: HotelService.availability() called from the bench
 * process against the same PostgreSQL database and Redis, with and without the cache. It tells how
 * much of an availability request the query itself costs, and so the most the cache can save;
 * the rest of a request's time is n8n's own work per execution.
 */
import { performance } from 'node:perf_hooks';
import { HotelService } from '../lib/booking/hotelService';
import type { AvailabilityQuery } from '../lib/inventory/catalog';
import { closeAllStores, getStore, type StoreConfig } from '../lib/store/db';
import { closeAllRedis, getRedis } from '../lib/store/redis';
import { REDIS } from '../test/support/services';
import { percentile, round } from './stats';

const CALLS = 300;
const CONCURRENCY = [1, 20];

export interface DirectFigures {
	concurrency: number;
	callsPerSecond: number;
	p50Ms: number;
	p99Ms: number;
}

export interface DirectReport {
	calls: number;
	/** Every call recomputed from PostgreSQL (three queries: room types, nights, rates). */
	database: DirectFigures[];
	/** Every call a cache hit (two Redis GETs and a JSON.parse). */
	cacheHit: DirectFigures[];
}

export async function measureDirect(config: Extract<StoreConfig, { kind: 'postgres' }>, redisPrefix: string, stays: Array<{ arrival: string; departure: string }>): Promise<DirectReport> {
	const queries: AvailabilityQuery[] = stays.map((s) => ({ ...s, adults: 2 }));
	try {
		const db = await getStore(config);
		const uncached = new HotelService(db);
		// A prefix apart from n8n's, still under this run's prefix so cleanup finds it.
		const cached = new HotelService(db, { redis: getRedis(REDIS), keyPrefix: `${redisPrefix}direct:` });
		// Warm: connections open, statements seen, and every query in the cache.
		for (const q of queries) await Promise.all([uncached.availability(q), cached.availability(q)]);
		const database: DirectFigures[] = [];
		const cacheHit: DirectFigures[] = [];
		for (const concurrency of CONCURRENCY) {
			database.push(await timeCalls((i) => uncached.availability(queries[i % queries.length]), concurrency, 'off'));
			cacheHit.push(await timeCalls((i) => cached.availability(queries[i % queries.length]), concurrency, 'hit'));
		}
		return { calls: CALLS, database, cacheHit };
	} finally {
		await closeAllStores();
		await closeAllRedis();
	}
}

/** CALLS calls with `concurrency` in flight; each must answer from where it is meant to. */
async function timeCalls(call: (i: number) => Promise<{ cache: string }>, concurrency: number, expected: string): Promise<DirectFigures> {
	const latencies: number[] = [];
	let next = 0;
	const worker = async () => {
		while (next < CALLS) {
			const i = next++;
			const started = performance.now();
			const { cache } = await call(i);
			latencies.push(performance.now() - started);
			if (cache !== expected) throw new Error(`direct availability call answered cache "${cache}", expected "${expected}"`);
		}
	};
	const started = performance.now();
	await Promise.all(Array.from({ length: concurrency }, worker));
	const wallMs = performance.now() - started;
	latencies.sort((a, b) => a - b);
	return {
		concurrency,
		callsPerSecond: round((CALLS * 1000) / wallMs, 0),
		p50Ms: round(percentile(latencies, 50), 2),
		p99Ms: round(percentile(latencies, 99), 2),
	};
}
