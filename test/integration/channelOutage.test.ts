/**
 * A channel that fails for a while during a stream of changes: the breaker opens (no retry storm:
 * the requests are counted), pushes fail without losing anything, and once the channel is back the
 * OTA's view equals the store for every night that changed.
 */
import { HotelService } from '../../lib/booking/hotelService';
import { ariForChanges } from '../../lib/channels/ariState';
import { ChannelMappings } from '../../lib/channels/mapping';
import { PROFILES } from '../../lib/channels/profiles';
import { pushChanges } from '../../lib/channels/push';
import { readChanges, START } from '../../lib/inventory/changeLog';
import { addDays, nightsOf } from '../../lib/inventory/dates';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { day } from '../support/days';

const HALF_OPEN_MS = 3_000; // long enough that the fixed "fewer than without a breaker" bound holds on a slow run
let database: TestDatabase;
let db: Db;
let peer: OtaPeer;

beforeAll(async () => {
	database = await createTestDatabase('outage');
	db = await getStore(database.config);
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await new ChannelMappings(db, 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
	]);
	peer = await startOtaPeer({ profile: 'booking', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
	resetPartnerPolicies();
});
afterAll(async () => {
	await peer.stop();
	await closeAllStores();
	await database.drop();
});

it('opens the breaker during an outage, loses nothing, and ends with the OTA seeing what the store holds', async () => {
	const conn = {
		channel: 'booking',
		profile: PROFILES.booking,
		baseUrl: peer.url,
		hotelCode: 'HOTEL1',
		username: 'hotel',
		password: 's3cret',
		// 3 attempts a call; 3 failed calls open the breaker; one probe call after HALF_OPEN_MS.
		resilience: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20, breakerThreshold: 3, halfOpenAfterMs: HALF_OPEN_MS, timeoutMs: 2_000 },
	};
	const hotel = new HotelService(db);
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(30), allotment: 6 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(30), amount: 9000 });
	expect((await pushChanges(db, conn)).status).toBe('pushed');

	// The channel goes down while 30 changes come in and the push keeps trying (every 50 ms). The
	// outage lasts until the loop is over, however slow this machine is, so every request counted
	// below went into a dead channel.
	peer.fail({ kind: '5xx', forMs: 600_000 });
	const before = peer.requests.length;
	const started = Date.now();
	const outcomes: string[] = [];
	for (let i = 0; i < 30; i++) {
		await hotel.setInventory({ roomType: 'DBL', from: day(2 + (i % 20)), to: day(2 + (i % 20)), allotment: 6 + (i % 4) });
		if (i % 5 === 0) await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(3 + i / 5), to: day(3 + i / 5), amount: 9500 + i });
		outcomes.push((await pushChanges(db, conn)).status);
		await new Promise((r) => setTimeout(r, 50));
	}
	const duringOutage = peer.requests.length - before;
	const elapsed = Date.now() - started;
	peer.fail({ kind: '5xx', count: 0 }); // the channel is back
	expect(outcomes.every((o) => o === 'failed')).toBe(true);
	// Without a breaker: 30 pushes × 3 attempts = 90 requests into a dead channel. With it: 3 calls
	// of 3 attempts until it opens, then at most one probe call (3 attempts) per half-open period.
	const bound = 3 * 3 + 3 * Math.ceil(elapsed / HALF_OPEN_MS);
	expect(duringOutage).toBeLessThanOrEqual(bound);
	expect(duringOutage).toBeLessThan(90 / 2);

	// Back up: wait out the breaker, push, and the view equals the store.
	await new Promise((r) => setTimeout(r, HALF_OPEN_MS + 100));
	let last = await pushChanges(db, conn);
	for (let n = 0; n < 10 && last.status === 'failed'; n++) {
		await new Promise((r) => setTimeout(r, HALF_OPEN_MS / 2));
		last = await pushChanges(db, conn);
	}
	expect(last.status).not.toBe('failed');
	const { changes } = await readChanges(db, START);
	const store = await ariForChanges(db, changes);
	for (const range of store.availability) {
		for (const night of nightsOf(range.start, addDays(range.end, 1))) {
			expect(peer.view.availability.get(`R-DBL|${night}`)).toMatchObject({ bookingLimit: range.value.bookingLimit, stopSell: range.value.stopSell });
		}
	}
	for (const range of store.rates) {
		for (const night of nightsOf(range.start, addDays(range.end, 1))) {
			expect(peer.view.rates.get(`R-DBL|RP-BAR|${night}`)).toMatchObject({ amount: range.value.amount });
		}
	}
	expect(await pushChanges(db, conn)).toMatchObject({ status: 'nothing to push' });
});
