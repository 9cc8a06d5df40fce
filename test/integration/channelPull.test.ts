/**
 * Reservations in from a channel, against the local OTA peer, for each way channels deliver them:
 * stored once, acknowledged only after they are stored, failures reported as failures, card data
 * never stored; and pushes that make the channel's view equal the store.
 */
import { HotelService } from '../../lib/booking/hotelService';
import { ChannelMappings } from '../../lib/channels/mapping';
import type { ProfileId } from '../../lib/channels/profiles';
import { pullReservations } from '../../lib/channels/pull';
import { pushChanges } from '../../lib/channels/push';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { peerConnection } from '../support/channels';
import { day } from '../support/days';


describe.each(['booking', 'siteminder', 'generic'] as ProfileId[])('channel profile %s', (profile) => {
	let database: TestDatabase;
	let db: Db;
	let peer: OtaPeer;
	let hotel: HotelService;
	const conn = () => peerConnection(profile, peer);
	const guest = { name: 'Grace Hopper', email: 'grace@example.com' };

	beforeAll(async () => {
		database = await createTestDatabase(`pull_${profile}`);
		db = await getStore(database.config);
		hotel = new HotelService(db);
		await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
		await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
		await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(40), allotment: 5 });
		await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(40), amount: 10000 });
		await new ChannelMappings(db, profile).set([
			{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
			{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
		]);
		peer = await startOtaPeer({ profile, hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
	});
	afterAll(async () => {
		await peer.stop();
		await closeAllStores();
		await database.drop();
	});
	beforeEach(() => resetPartnerPolicies());

	it('pushes availability and rates until the channel sees what the store holds', async () => {
		expect((await pushChanges(db, conn())).status).toBe('pushed');
		expect(peer.requests.every((r) => r.valid)).toBe(true);
		expect(peer.view.availability.get(`R-DBL|${day(10)}`)).toMatchObject({ bookingLimit: 5 });
		expect(peer.view.rates.get(`R-DBL|RP-BAR|${day(10)}`)).toMatchObject({ amount: 10000 });
	});

	it('stores new, modified and cancelled reservations once, acknowledges them, and pushes the new limits back', async () => {
		peer.queueReservation({ channelReservationId: 'C-1', action: 'book', roomType: 'R-DBL', ratePlan: 'RP-BAR', arrival: day(10), departure: day(12), rooms: 1, adults: 2, children: 0, amount: 20000, currency: 'EUR', guest, card: { brand: 'VI', last4: '1111' } });
		peer.queueReservation({ channelReservationId: 'C-2', action: 'book', roomType: 'R-DBL', arrival: day(20), departure: day(21), rooms: 1, adults: 1, children: 0, guest });
		const first = await pullReservations(db, hotel, conn());
		expect(first.map((r) => [r.ack.channelReservationId, r.ack.ok])).toEqual([['C-1', true], ['C-2', true]]);
		expect(peer.acknowledged.get('C-1')).toBe(1);
		const stored = await hotel.book.list({ channel: profile });
		expect(stored).toHaveLength(2);
		expect(JSON.stringify(stored)).not.toMatch(/4111|1229|123\b/);
		expect(await pullReservations(db, hotel, conn())).toEqual([]); // nothing left to pull

		peer.queueReservation({ channelReservationId: 'C-1', action: 'modify', roomType: 'R-DBL', ratePlan: 'RP-BAR', arrival: day(10), departure: day(14), rooms: 1, adults: 2, children: 0, guest });
		peer.queueReservation({ channelReservationId: 'C-2', action: 'cancel', rooms: 0, adults: 0, children: 0, guest });
		await pullReservations(db, hotel, conn());
		const after = await hotel.book.list({ channel: profile });
		expect(after.find((r) => r.channelReservationId === 'C-1')).toMatchObject({ status: 'modified', departure: day(14) });
		expect(after.find((r) => r.channelReservationId === 'C-2')).toMatchObject({ status: 'cancelled' });
		expect(await hotel.book.soldDrift()).toEqual([]);

		await pushChanges(db, conn());
		expect(peer.view.availability.get(`R-DBL|${day(13)}`)).toMatchObject({ bookingLimit: 4 });
		expect(peer.view.availability.get(`R-DBL|${day(20)}`)).toMatchObject({ bookingLimit: 5 });
	});

	it('reports a reservation it cannot store as failed, and acknowledges the others', async () => {
		peer.queueReservation({ channelReservationId: 'C-BAD', action: 'book', roomType: 'R-UNKNOWN', arrival: day(25), departure: day(26), rooms: 1, adults: 1, children: 0, guest });
		peer.queueReservation({ channelReservationId: 'C-OK', action: 'book', roomType: 'R-DBL', arrival: day(25), departure: day(26), rooms: 1, adults: 1, children: 0, guest });
		const results = await pullReservations(db, hotel, conn());
		expect(results.find((r) => r.ack.channelReservationId === 'C-BAD')).toMatchObject({ ack: { ok: false }, error: expect.stringContaining('"R-UNKNOWN"') });
		expect(peer.rejected.has('C-BAD')).toBe(true);
		expect(peer.acknowledged.get('C-OK')).toBe(1);
	});

	it('acknowledges nothing when the channel fails mid-way, and takes it all on the next pull', async () => {
		peer.queueReservation({ channelReservationId: 'C-LATE', action: 'book', roomType: 'R-DBL', arrival: day(30), departure: day(31), rooms: 1, adults: 1, children: 0, guest });
		peer.fail({ kind: '5xx', count: 10 });
		await expect(pullReservations(db, hotel, conn())).rejects.toThrow();
		peer.fail({ kind: '5xx', count: 0 });
		resetPartnerPolicies();
		const again = await pullReservations(db, hotel, conn());
		expect(again.map((r) => r.ack.channelReservationId)).toContain('C-LATE');
		expect((await hotel.book.list({ channel: profile })).filter((r) => r.channelReservationId === 'C-LATE')).toHaveLength(1);
	});
});
