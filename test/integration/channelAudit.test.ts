/**
 * Auditing a channel (lib/channels/audit.ts) against the local OTA peer, for each profile that takes
 * OpenTravel ARI: after a clean push nothing differs; updates the channel accepted but lost or
 * applied wrong, and an edit in its extranet, are found night by night and field by field in both
 * codes; the repair pushes exactly those nights and a second audit finds nothing; the audit is
 * logged with its drift. Every request the audit sends is validated by the peer against the XSD.
 */
import nock from 'nock';
import { HotelService } from '../../lib/booking/hotelService';
import { auditChannel, type AriDifference } from '../../lib/channels/audit';
import { ChannelMappings } from '../../lib/channels/mapping';
import { PROFILES, type ProfileId } from '../../lib/channels/profiles';
import { pushChanges } from '../../lib/channels/push';
import { HotelError } from '../../lib/errors';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import type { OtaPeer } from '../peers/otaPeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { peerConnection, startChannelHotel } from '../support/channels';
import { day } from '../support/days';

const NIGHTS = 14;

describe.each(['booking', 'siteminder', 'generic'] as ProfileId[])('channel audit, profile %s', (profile) => {
	let db: Db;
	let peer: OtaPeer;
	let hotel: HotelService;
	let close: () => Promise<void>;
	const conn = () => peerConnection(profile, peer);
	const audit = (repair = false) => auditChannel(db, conn(), { from: day(1), nights: NIGHTS, repair });
	const brief = (d: AriDifference) => [d.night, d.channelRoomType, d.channelRatePlan ?? '', d.field, d.store, d.channel];

	beforeAll(async () => {
		// The single's name and channel code hold a quote (and an SQL comment) on purpose.
		({ db, hotel, peer, close } = await startChannelHotel(profile, `audit_${profile}`, { name: "Zoë's Single", channelCode: "R-SGL'; --", maxLos: 14 }));
		expect((await pushChanges(db, conn())).status).toBe('pushed');
	});
	afterAll(() => close());
	beforeEach(() => resetPartnerPolicies());

	it('finds nothing after a clean push, reading one night at a time', async () => {
		const before = peer.requests.length;
		const report = await audit();
		expect(report).toMatchObject({ channel: profile, from: day(1), to: day(NIGHTS), nightsCompared: 2 * NIGHTS, drift: 0, skipped: 0, differences: [] });
		expect(report.notCompared).toEqual(['closedToDeparture: OTA_HotelAvailRS cannot carry it']);
		const queries = peer.requests.slice(before);
		expect(queries).toHaveLength(NIGHTS);
		expect(queries.every((r) => r.root === 'OTA_HotelAvailRQ' && r.valid && r.status === 200)).toBe(true);
	});

	it('finds what the channel lost, applied wrong, or was changed in its extranet; repairs exactly that; a second audit finds nothing', async () => {
		// Lost: the availability and the rate message of this push are answered Success and dropped.
		await hotel.setInventory({ roomType: 'DBL', from: day(5), to: day(5), allotment: 3, minLos: 2 });
		await hotel.setInventory({ roomType: 'DBL', from: day(7), to: day(7), closedToArrival: true });
		await hotel.setInventory({ roomType: 'DBL', from: day(8), to: day(8), stopSell: true });
		await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(6), to: day(6), amount: 9900 });
		peer.loseAriUpdates(2);
		expect((await pushChanges(db, conn())).status).toBe('pushed');
		// Applied wrong: one more room than was sent.
		await hotel.setInventory({ roomType: 'SGL', from: day(10), to: day(10), allotment: 1 });
		peer.alterAriUpdates(1, { availability: (u) => ({ ...u, bookingLimit: (u.bookingLimit ?? 0) + 1 }) });
		expect((await pushChanges(db, conn())).status).toBe('pushed');
		// Changed by hand in the extranet.
		peer.view.rates.set(`R-SGL'; --|RP-BAR|${day(12)}`, { amount: 100, currency: 'EUR' });

		const found = await audit();
		expect(found.differences.map(brief)).toEqual([
			[day(5), 'R-DBL', '', 'roomsLeft', 3, 5],
			[day(5), 'R-DBL', '', 'minLos', 2, null],
			[day(6), 'R-DBL', 'RP-BAR', 'rate', 9900, 10000],
			[day(7), 'R-DBL', '', 'closedToArrival', true, false],
			[day(8), 'R-DBL', '', 'stopSell', true, false],
			[day(10), "R-SGL'; --", '', 'roomsLeft', 1, 2],
			[day(12), "R-SGL'; --", 'RP-BAR', 'rate', 7000, 100],
		]);
		expect(found.differences[0]).toMatchObject({ roomType: 'DBL', channelRoomType: 'R-DBL' });
		expect(found.drift).toBe(6);
		expect(found.repair).toBeUndefined();

		const pushesBefore = peer.requests.filter((r) => r.root !== 'OTA_HotelAvailRQ').length;
		const repaired = await audit(true);
		expect(repaired.drift).toBe(6);
		expect(repaired.repair).toMatchObject({ status: 'repaired', unrepairable: 0 });
		// Exactly the differing nights went out (the availability and rate messages of the repair).
		expect(peer.requests.filter((r) => r.root !== 'OTA_HotelAvailRQ').length - pushesBefore).toBe(repaired.repair!.messages);
		expect(repaired.repair!.nights).toBe(4 + 2); // availability: DBL on 5, 7 and 8, SGL on 10; rates: DBL on 6, SGL on 12

		const again = await audit();
		expect(again).toMatchObject({ drift: 0, differences: [] });
		const logged = await db.query<{ nights: number; items: number; status: string; detail: string }>(
			"SELECT nights, items, status, detail FROM channel_sync_log WHERE channel = $1 AND direction = 'audit' ORDER BY id",
			[profile],
		);
		expect(logged.rows.map((r) => [r.nights, r.items, r.status, JSON.parse(r.detail).repair])).toEqual([
			[2 * NIGHTS, 0, 'ok', 'not asked'],
			[2 * NIGHTS, 6, 'ok', 'not asked'],
			[2 * NIGHTS, 6, 'ok', 'repaired'],
			[2 * NIGHTS, 0, 'ok', 'not asked'],
		]);
		// The push cursor did not move for the repair: nothing a later push owes was skipped.
		expect((await pushChanges(db, conn())).status).toBe('nothing to push');
	});

	it('compares nothing a channel cannot say, skips nights not pushed yet, and names what a push cannot repair', async () => {
		// Stopped and closed to arrival at once: the channel's one Status says Close; its CTA is not compared.
		await hotel.setInventory({ roomType: 'SGL', from: day(3), to: day(3), stopSell: true, closedToArrival: true, minLos: 3 });
		expect((await pushChanges(db, conn())).status).toBe('pushed');
		expect(await audit()).toMatchObject({ drift: 0, skipped: 0 });

		// Changed and not pushed yet: the channel cannot know it, the push on its way will tell it.
		await hotel.setInventory({ roomType: 'SGL', from: day(4), to: day(5), allotment: 1 });
		const pending = await audit(true);
		expect(pending).toMatchObject({ drift: 0, skipped: 2, nightsCompared: 2 * NIGHTS - 2, repair: { status: 'nothing to repair' } });
		expect((await pushChanges(db, conn())).status).toBe('pushed');

		// A rate plan the channel sells that the store has no rates for: listed, and no push can undo it.
		await new ChannelMappings(db, profile).set([{ kind: 'rate_plan', hotelCode: 'NRF', channelCode: 'RP-NRF' }]);
		peer.view.rates.set(`R-DBL|RP-NRF|${day(2)}`, { amount: 5000, currency: 'EUR' });
		const stray = await audit(true);
		expect(stray.differences.map(brief)).toEqual([[day(2), 'R-DBL', 'RP-NRF', 'rate', null, 5000]]);
		expect(stray.repair).toMatchObject({ status: 'nothing a push can repair', messages: 0, unrepairable: 1 });
		peer.view.rates.delete(`R-DBL|RP-NRF|${day(2)}`);
		await new ChannelMappings(db, profile).remove('rate_plan', 'NRF');
		expect(await audit()).toMatchObject({ drift: 0 });
	});

	it('lets one push or repair of a channel run at a time: an overlapping push leaves the work to the running one', async () => {
		await hotel.setInventory({ roomType: 'DBL', from: day(11), to: day(11), allotment: 2 });
		peer.fail({ kind: 'slow', delayMs: 400, count: 1 });
		const [first, second] = await Promise.all([pushChanges(db, conn()), new Promise((r) => setTimeout(r, 100)).then(() => pushChanges(db, conn()))]);
		expect([first.status, second.status]).toEqual(['pushed', 'busy']);
		expect(peer.view.availability.get(`R-DBL|${day(11)}`)).toMatchObject({ bookingLimit: 2 });
	});

	it('refuses a window it would not read', async () => {
		for (const nights of [0, 366, 1.5]) {
			await expect(auditChannel(db, conn(), { from: day(1), nights, repair: false })).rejects.toBeInstanceOf(HotelError);
		}
	});
});

describe('a channel that answers only what it sells (no closed rooms, no HotelStays)', () => {
	let database: TestDatabase;
	let db: Db;
	const CHANNEL = 'http://sells-only.channel.test';
	const conn = { channel: 'sellsonly', profile: PROFILES.generic, baseUrl: CHANNEL, hotelCode: 'HOTEL9', username: 'u', password: 'p', resilience: { maxAttempts: 1 } };

	beforeAll(async () => {
		database = await createTestDatabase('audit_sells');
		db = await getStore(database.config);
		const hotel = new HotelService(db);
		await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
		await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
		await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(6), allotment: 4 });
		await hotel.setInventory({ roomType: 'DBL', from: day(2), to: day(2), stopSell: true });
		await hotel.setInventory({ roomType: 'DBL', from: day(3), to: day(3), allotment: 0 });
		await hotel.setInventory({ roomType: 'DBL', from: day(4), to: day(4), closedToArrival: true });
		await hotel.setInventory({ roomType: 'DBL', from: day(5), to: day(5), minLos: 2 });
		await hotel.setInventory({ roomType: 'DBL', from: day(7), to: day(7), closedToDeparture: true });
		await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(7), amount: 8000 });
		await new ChannelMappings(db, 'sellsonly').set([
			{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'D' },
			{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'B' },
		]);
		// As if everything had been pushed: the audit compares only what the channel has been told.
		await db.query("INSERT INTO channel_cursors (channel, txid, change_id) SELECT 'sellsonly', '0', max(id) FROM inventory_changes");
		nock.disableNetConnect();
		nock.enableNetConnect(/127\.0\.0\.1/);
	});
	afterAll(async () => {
		nock.cleanAll();
		nock.enableNetConnect();
		await closeAllStores();
		await database.drop();
	});

	it('compares a room it does not report as not for sale: right for a night the store would not sell one night of either, drift for one it sells', async () => {
		const sells = `<OTA_HotelAvailRS xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0"><Success/><RoomStays><RoomStay>
			<RoomRates><RoomRate RoomTypeCode="D" RatePlanCode="B" NumberOfUnits="4"><Total AmountAfterTax="80.00" CurrencyCode="EUR"/></RoomRate></RoomRates></RoomStay></RoomStays></OTA_HotelAvailRS>`;
		const nothing = `<OTA_HotelAvailRS xmlns="http://www.opentravel.org/OTA/2003/05" Version="1.0"><Success/></OTA_HotelAvailRS>`;
		// Night 1 as the store has it; not reported: 2 stopped, 3 sold out, 4 closed to arrival, 5 with
		// a minimum stay of 2, 6 closed to departure the day after, 8 without inventory in the store.
		nock(CHANNEL).post(PROFILES.generic.paths.availQuery).reply(200, sells).post(PROFILES.generic.paths.availQuery).times(7).reply(200, nothing);
		const agreed = await auditChannel(db, conn, { from: day(1), nights: 8, repair: false });
		expect(agreed).toMatchObject({ drift: 0, differences: [] });
		expect(agreed.notCompared).toContain('stopSell by restriction, closedToArrival, minLos, maxLos: the channel reported no HotelStays (only closed-out rooms are compared)');

		// Now the channel stops selling night 1 without being told: drift, as the rooms it should sell.
		nock(CHANNEL).post(PROFILES.generic.paths.availQuery).times(8).reply(200, nothing);
		const drifted = await auditChannel(db, conn, { from: day(1), nights: 8, repair: false });
		expect(drifted.differences.map((d) => [d.night, d.field, d.store, d.channel])).toEqual([
			[day(1), 'roomsLeft', 4, null],
			[day(1), 'rate', 8000, null],
		]);
		expect(drifted.drift).toBe(1);
		expect(nock.isDone()).toBe(true);
	});
});
