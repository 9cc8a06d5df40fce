import { closeAllRedis, getRedis } from '../../lib/store/redis';
import { closeAllStores, getStore } from '../../lib/store/db';
import { EventClaimStore, PostgresEventClaims, RedisEventClaims } from '../../lib/webhooks/eventClaims';
import { createTestDatabase, REDIS, TestDatabase, uniqueRedisPrefix } from '../support/services';

let database: TestDatabase;
const stores: Record<string, () => Promise<EventClaimStore>> = {
	postgres: async () => new PostgresEventClaims(await getStore(database.config)),
	redis: async () => new RedisEventClaims(getRedis(REDIS), { keyPrefix: uniqueRedisPrefix('claims') }),
};

beforeAll(async () => {
	database = await createTestDatabase('claims');
});
afterAll(async () => {
	await closeAllStores();
	await closeAllRedis();
	await database.drop();
});

describe.each(Object.keys(stores))('event claims in %s', (kind) => {
	let claims: EventClaimStore;
	beforeAll(async () => {
		claims = await stores[kind]();
	});

	it('lets exactly one of 50 concurrent claims of one event win', async () => {
		const results = await Promise.all(Array.from({ length: 50 }, () => claims.claim('stripe', 'evt_race', { leaseMs: 60_000 })));
		const winners = results.filter((r) => r.outcome === 'claimed');
		expect(winners).toHaveLength(1);
		expect(results.filter((r) => r.outcome === 'in_progress')).toHaveLength(49);
	});

	it('answers duplicate after the winner completes', async () => {
		const first = await claims.claim('stripe', 'evt_done', { leaseMs: 60_000 });
		if (first.outcome !== 'claimed') throw new Error('first claim should win');
		await claims.complete('stripe', 'evt_done', first.token);
		expect((await claims.claim('stripe', 'evt_done', { leaseMs: 60_000 })).outcome).toBe('duplicate');
	});

	it('lets a redelivery claim again after a release (a failure is not remembered as success)', async () => {
		const first = await claims.claim('stripe', 'evt_failed', { leaseMs: 60_000 });
		if (first.outcome !== 'claimed') throw new Error('first claim should win');
		await claims.release('stripe', 'evt_failed', first.token);
		const again = await claims.claim('stripe', 'evt_failed', { leaseMs: 60_000 });
		expect(again.outcome).toBe('claimed');
	});

	it('lets a redelivery claim again once the lease of a dead process ran out', async () => {
		// A lease long enough to outlast the second claim's round trip on a slow machine.
		expect((await claims.claim('stripe', 'evt_dead', { leaseMs: 1_000 })).outcome).toBe('claimed');
		expect((await claims.claim('stripe', 'evt_dead', { leaseMs: 1_000 })).outcome).toBe('in_progress');
		await new Promise((r) => setTimeout(r, 1_100));
		expect((await claims.claim('stripe', 'evt_dead', { leaseMs: 60_000 })).outcome).toBe('claimed');
	});

	it('ignores a stale token: a late release cannot undo the new owner', async () => {
		const old = await claims.claim('stripe', 'evt_stale', { leaseMs: 50 });
		await new Promise((r) => setTimeout(r, 120));
		const current = await claims.claim('stripe', 'evt_stale', { leaseMs: 60_000 });
		if (old.outcome !== 'claimed' || current.outcome !== 'claimed') throw new Error('both claims should win in turn');
		await claims.release('stripe', 'evt_stale', old.token);
		expect((await claims.claim('stripe', 'evt_stale', { leaseMs: 60_000 })).outcome).toBe('in_progress');
		await claims.complete('stripe', 'evt_stale', current.token);
		expect((await claims.claim('stripe', 'evt_stale', { leaseMs: 60_000 })).outcome).toBe('duplicate');
	});

	it('keeps ids with SQL metacharacters and Unicode apart', async () => {
		const ids = ["evt_'; DROP TABLE processed_events;--", 'evt_ünïcødé_😀', 'evt_plain'];
		for (const id of ids) expect((await claims.claim('stripe', id, { leaseMs: 60_000 })).outcome).toBe('claimed');
		for (const id of ids) expect((await claims.claim('stripe', id, { leaseMs: 60_000 })).outcome).toBe('in_progress');
	});
});
