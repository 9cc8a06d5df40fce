/**
 * Reservations that hold several rooms, against the real PostgreSQL: inventory is taken and freed
 * per room and night; a channel's change to one room moves that room only; the same change
 * delivered many times at once, or versions out of order, apply once; today's single-room rows
 * migrate to the new shape without losing anything.
 */
import { Client } from 'pg';
import { HotelService } from '../../lib/booking/hotelService';
import { takeIn } from '../../lib/channels/intake';
import { ChannelMappings } from '../../lib/channels/mapping';
import { parseReservations } from '../../lib/ota';
import { HotelCatalog } from '../../lib/inventory/catalog';
import { HotelError } from '../../lib/errors';
import { ReservationBook, type ChannelChange, type RoomInput, type StayInput } from '../../lib/inventory/reservations';
import { getStore, type Db } from '../../lib/store/db';
import { migrations } from '../../lib/store/migrations';
import { openReservationStore } from '../support/reservationStore';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { day } from '../support/days';

let db: Db;
let catalog: HotelCatalog;
let book: ReservationBook;
let close: () => Promise<void>;

beforeAll(async () => {
	({ db, catalog, book, close } = await openReservationStore('rooms'));
	await catalog.upsertRoomType({ code: 'DBL', name: 'Double', maxOccupancy: 2 });
	await catalog.upsertRoomType({ code: 'FAM', name: 'Family room', maxOccupancy: 4 });
	await catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	await catalog.setInventory({ roomType: 'DBL', from: day(1), to: day(60), allotment: 5 });
	await catalog.setInventory({ roomType: 'FAM', from: day(1), to: day(60), allotment: 2 });
	await catalog.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(60), amount: 10000 });
	await catalog.setRates({ roomType: 'FAM', ratePlan: 'BAR', from: day(1), to: day(60), amount: 18000 });
});
afterAll(() => close());
afterEach(async () => {
	expect(await book.soldDrift()).toEqual([]);
});

const sold = async (roomType: string, from: number, to: number) => (await catalog.nights(roomType, day(from), day(to))).map((n) => n.sold);

const double = (over: Partial<RoomInput> = {}): RoomInput => ({ key: '1', roomType: 'DBL', ratePlan: 'BAR', adults: 2, amount: 20000, currency: 'EUR', ...over });
const family = (over: Partial<RoomInput> = {}): RoomInput => ({ key: '2', roomType: 'FAM', ratePlan: 'BAR', adults: 2, children: 2, childAges: [4, 9], amount: 36000, currency: 'EUR', ...over });

function channelStay(rooms: RoomInput[], over: Partial<StayInput> = {}): StayInput {
	return { arrival: day(10), departure: day(12), roomStays: rooms, guest: { name: 'Zoë Ångström' }, comments: ['late arrival'], specialRequests: ['cot'], paymentModel: 'virtual_card', commission: 8400, ...over };
}

let sequence = 0;
const change = (id: string, version: string, action: ChannelChange['action'], stay?: StayInput): ChannelChange => ({ channel: 'booking', channelReservationId: id, channelVersion: version, action, stay });

it('stores a double and a family room as two rooms, each taking its own room type', async () => {
	const id = `MR-${++sequence}`;
	const before = { dbl: await sold('DBL', 10, 11), fam: await sold('FAM', 10, 11) };
	const { reservation } = await book.applyChannelChange(change(id, '1', 'book', channelStay([double(), family()])));
	expect(await sold('DBL', 10, 11)).toEqual(before.dbl.map((n) => n + 1));
	expect(await sold('FAM', 10, 11)).toEqual(before.fam.map((n) => n + 1));
	expect(reservation).toMatchObject({ rooms: 2, adults: 4, children: 2, roomType: 'DBL', amount: 56000, paymentModel: 'virtual_card', commission: 8400, comments: ['late arrival'], specialRequests: ['cot'] });
	expect(reservation.roomStays.map(({ key, roomType, adults, children, childAges, status }) => ({ key, roomType, adults, children, childAges, status }))).toEqual([
		{ key: '1', roomType: 'DBL', adults: 2, children: 0, childAges: [], status: 'active' },
		{ key: '2', roomType: 'FAM', adults: 2, children: 2, childAges: [4, 9], status: 'active' },
	]);
	// Read back the same from the store.
	expect((await book.get(reservation.id)).roomStays).toEqual(reservation.roomStays);
	await book.applyChannelChange(change(id, '2', 'cancel'));
	expect(await sold('DBL', 10, 11)).toEqual(before.dbl);
	expect(await sold('FAM', 10, 11)).toEqual(before.fam);
});

it('moves exactly the room a modification changes, and frees a room the channel cancels or leaves out', async () => {
	const id = `MR-${++sequence}`;
	const base = { dbl: await sold('DBL', 20, 23), fam: await sold('FAM', 20, 23) };
	const stay = (rooms: RoomInput[]) => channelStay(rooms, { arrival: day(20), departure: day(22) });
	await book.applyChannelChange(change(id, '1', 'book', stay([double(), family()])));
	// The family room stays one night longer; the double is untouched.
	const mark = (await db.query<{ id: string }>('SELECT COALESCE(max(id), 0)::text AS id FROM inventory_changes')).rows[0].id;
	await book.applyChannelChange(change(id, '2', 'modify', stay([double(), family({ departure: day(23) })])));
	// Only the family room's new night changed availability: that is all the channels are sent.
	const changed = await db.query<{ room_type_code: string; night: string }>('SELECT DISTINCT room_type_code, night::text AS night FROM inventory_changes WHERE id > $1', [mark]);
	expect(changed.rows).toEqual([{ room_type_code: 'FAM', night: day(22) }]);
	expect(await sold('DBL', 20, 23)).toEqual([base.dbl[0] + 1, base.dbl[1] + 1, base.dbl[2], base.dbl[3]]);
	expect(await sold('FAM', 20, 23)).toEqual([base.fam[0] + 1, base.fam[1] + 1, base.fam[2] + 1, base.fam[3]]);
	// The channel cancels the family room only.
	const { reservation } = await book.applyChannelChange(change(id, '3', 'modify', stay([double(), family({ departure: day(23), status: 'cancelled' })])));
	expect(reservation).toMatchObject({ status: 'modified', rooms: 1, roomType: 'DBL' });
	expect(reservation.roomStays.map((r) => r.status)).toEqual(['active', 'cancelled']);
	expect(await sold('FAM', 20, 23)).toEqual(base.fam);
	expect(await sold('DBL', 20, 23)).toEqual([base.dbl[0] + 1, base.dbl[1] + 1, base.dbl[2], base.dbl[3]]);
	// Booking.com leaves a removed room out of the modification: the same.
	await book.applyChannelChange(change(id, '4', 'modify', stay([double(), family()])));
	await book.applyChannelChange(change(id, '5', 'modify', stay([family()])));
	expect(await sold('DBL', 20, 23)).toEqual(base.dbl);
	// Every room cancelled is the reservation cancelled.
	const last = await book.applyChannelChange(change(id, '6', 'modify', stay([family({ status: 'cancelled' })])));
	expect(last.reservation.status).toBe('cancelled');
	expect(await sold('FAM', 20, 23)).toEqual(base.fam);
});

it('applies the same multi-room change once when it arrives ten times at once, and keeps a newer version over a late older one', async () => {
	const id = `MR-${++sequence}`;
	const before = { dbl: await sold('DBL', 30, 31), fam: await sold('FAM', 30, 31) };
	const stay = (rooms: RoomInput[]) => channelStay(rooms, { arrival: day(30), departure: day(32) });
	const results = await Promise.all(Array.from({ length: 10 }, () => book.applyChannelChange(change(id, '1', 'book', stay([double(), double({ key: '3' }), family()])))));
	expect(results.filter((r) => r.applied)).toHaveLength(1);
	expect(await sold('DBL', 30, 31)).toEqual(before.dbl.map((n) => n + 2));
	expect(await sold('FAM', 30, 31)).toEqual(before.fam.map((n) => n + 1));
	// Version 3 (one double) arrives before version 2 (no family room): 2 must not undo 3.
	await Promise.all(Array.from({ length: 5 }, () => book.applyChannelChange(change(id, '3', 'modify', stay([double(), family()])))));
	const late = await book.applyChannelChange(change(id, '2', 'modify', stay([double(), double({ key: '3' })])));
	expect(late.applied).toBe(false);
	expect(await sold('DBL', 30, 31)).toEqual(before.dbl.map((n) => n + 1));
	expect(await sold('FAM', 30, 31)).toEqual(before.fam.map((n) => n + 1));
	const history = await db.query<{ action: string }>('SELECT action FROM reservation_history WHERE reservation_id = $1 ORDER BY id', [late.reservation.id]);
	expect(history.rows.map((r) => r.action)).toEqual(['created', 'modified', 'ignored-older-version']);
	await book.applyChannelChange(change(id, '4', 'cancel'));
});

it('flags only the room that landed on a short night as overbooked', async () => {
	const id = `MR-${++sequence}`;
	await catalog.setInventory({ roomType: 'FAM', from: day(40), to: day(41), allotment: 0 });
	const { reservation } = await book.applyChannelChange(change(id, '1', 'book', channelStay([double(), family()], { arrival: day(40), departure: day(42) })));
	expect(reservation.overbooked).toBe(true);
	expect(reservation.roomStays.map((r) => [r.roomType, r.overbooked])).toEqual([
		['DBL', false],
		['FAM', true],
	]);
	await book.applyChannelChange(change(id, '2', 'cancel'));
	await catalog.setInventory({ roomType: 'FAM', from: day(40), to: day(41), allotment: 2 });
});

it('books several rooms the hotel controls only if every one has rooms left, and changes nothing otherwise', async () => {
	const guest = { name: "O'Brien; DROP TABLE reservations;--" };
	const rooms = [double({ amount: undefined }), family({ amount: undefined, key: undefined })];
	const created = await book.create({ arrival: day(45), departure: day(47), roomStays: rooms, guest });
	expect(created).toMatchObject({ rooms: 2, amount: 2 * 10000 + 2 * 18000, currency: 'eur', guest: { name: guest.name } });
	expect(created.roomStays.map((r) => [r.key, r.roomType, r.amount])).toEqual([
		['1', 'DBL', 20000],
		['2', 'FAM', 36000],
	]);
	const before = { dbl: await sold('DBL', 45, 46), fam: await sold('FAM', 45, 46) };
	// Two family rooms are left at most; three in one booking are refused, the double with them too.
	const refused = await book.create({ arrival: day(45), departure: day(47), roomStays: [double({ amount: undefined }), family({ amount: undefined, units: 3 })], guest }).catch((e) => e);
	expect(refused).toBeInstanceOf(HotelError);
	expect((refused as HotelError).code).toBe('sold_out');
	expect(await sold('DBL', 45, 46)).toEqual(before.dbl);
	expect(await sold('FAM', 45, 46)).toEqual(before.fam);
	// Which room a one-room change means is not guessable for two rooms: the caller must say.
	const ambiguous = await book.update(created.id, { roomType: 'FAM' }).catch((e) => e);
	expect(ambiguous).toMatchObject({ code: 'invalid', field: 'roomType' });
	expect((ambiguous as HotelError).message).toMatch(/roomStays/);
	// Dates move every room that had the reservation's dates.
	const moved = await book.update(created.id, { departure: day(48) });
	expect(moved.roomStays.map((r) => r.departure)).toEqual([day(48), day(48)]);
	expect(moved.amount).toBe(3 * 10000 + 3 * 18000);
	await book.cancel(created.id);
});

it('names the room at fault', async () => {
	const e = await book.create({ arrival: day(45), departure: day(47), roomStays: [double(), family({ roomType: 'NOPE' })], guest: { name: 'A' } }).catch((x) => x);
	expect(e).toMatchObject({ code: 'not_found' });
	const bad = await book.create({ roomStays: [double({ arrival: day(9), departure: day(8) })], guest: { name: 'A' } }).catch((x) => x);
	expect(bad).toMatchObject({ code: 'invalid', field: 'roomStays[0].departure' });
});

it('never deadlocks: bookings of two room types and of one, ten at a time, all stored', async () => {
	for (let round = 0; round < 6; round++) {
		const results = await Promise.allSettled(
			Array.from({ length: 10 }, (_, i) => {
				const id = `DL-${round}-${i}`;
				const rooms = i % 2 === 0 ? [double(), family()] : [family()];
				return book.applyChannelChange(change(id, '1', 'book', channelStay(rooms, { arrival: day(50), departure: day(53) })));
			}),
		);
		expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
	}
	for (let round = 0; round < 6; round++) for (let i = 0; i < 10; i++) await book.applyChannelChange(change(`DL-${round}-${i}`, '2', 'cancel'));
});

it('keeps sold right when staff change and cancel the same reservation at once', async () => {
	const created = await Promise.all(Array.from({ length: 4 }, () => book.create({ arrival: day(54), departure: day(56), roomStays: [double({ amount: undefined })], guest: { name: 'A' } })));
	await Promise.all(created.flatMap((r) => [book.update(r.id, { arrival: day(55), departure: day(57) }).catch(() => undefined), book.cancel(r.id)]));
	for (const r of created) expect((await book.get(r.id)).status).toBe('cancelled');
});

it('applies a channel changing a reservation back to an earlier state (content versions), and keeps a cancelled reservation cancelled against a late booking', async () => {
	const id = `MR-${++sequence}`;
	const stay = (departure: number) => channelStay([double()], { arrival: day(20), departure: day(departure) });
	await book.applyChannelChange(change(id, 'sha256:aaaa', 'modify', stay(22)));
	await book.applyChannelChange(change(id, 'sha256:bbbb', 'modify', stay(23)));
	const back = await book.applyChannelChange(change(id, 'sha256:aaaa', 'modify', stay(22)));
	expect(back).toMatchObject({ applied: true, reservation: { departure: day(22) } });
	// The same content again, now current: a redelivery.
	expect((await book.applyChannelChange(change(id, 'sha256:aaaa', 'modify', stay(22)))).applied).toBe(false);
	await book.applyChannelChange(change(id, 'sha256:cccc', 'cancel'));

	// A cancellation of a booking never seen, then the booking itself, late: it stays cancelled, no rooms taken, no second e-mail.
	const late = `MR-${++sequence}`;
	const before = await sold('DBL', 20, 21);
	await book.applyChannelChange(change(late, 'sha256:dddd', 'cancel'));
	const booked = await book.applyChannelChange(change(late, '2026-05-01T10:00:00Z', 'book', stay(22)));
	expect(booked).toMatchObject({ applied: false, reservation: { status: 'cancelled' } });
	expect(await sold('DBL', 20, 21)).toEqual(before);
	const again = await book.applyChannelChange(change(id, 'sha256:eeee', 'cancel'));
	expect(again.applied).toBe(false);
	const events = await db.query<{ n: string }>("SELECT count(*) AS n FROM hotel_events WHERE reservation_id = $1 AND event = 'reservation.cancelled'", [again.reservation.id]);
	expect(Number(events.rows[0].n)).toBe(1);
	// A version that proves it came after the cancellation may bring a reservation back.
	const back2 = `MR-${++sequence}`;
	await book.applyChannelChange(change(back2, '3', 'cancel'));
	const reinstated = await book.applyChannelChange(change(back2, '5', 'modify', stay(22)));
	expect(reinstated).toMatchObject({ applied: true, reservation: { status: 'modified' } });
	expect(await sold('DBL', 20, 21)).toEqual(before.map((n) => n + 1));
	await book.applyChannelChange(change(back2, '6', 'cancel'));
});

it('stores amounts larger than an integer (25,000,000.00 IDR) and refuses absurd guest counts by name', async () => {
	const id = `MR-${++sequence}`;
	const { reservation } = await book.applyChannelChange(change(id, '1', 'book', channelStay([double({ amount: 2_500_000_000, currency: 'IDR' })], { amount: 2_500_000_000, currency: 'IDR' })));
	expect(reservation.amount).toBe(2_500_000_000);
	expect(reservation.roomStays[0].amount).toBe(2_500_000_000);
	await book.applyChannelChange(change(id, '2', 'cancel'));
	const absurd = await book.applyChannelChange(change(`MR-${++sequence}`, '1', 'book', channelStay([double({ adults: 1_000_000 })]))).catch((e) => e);
	expect(absurd).toMatchObject({ code: 'invalid', field: 'roomStays[0].adults' });
});

it('refuses new dates for a reservation whose rooms have different dates, instead of stretching a room', async () => {
	const created = await book.create({ arrival: day(45), departure: day(47), roomStays: [double({ amount: undefined }), double({ amount: undefined, key: '2', arrival: day(46) })], guest: { name: 'A' } });
	const e = await book.update(created.id, { arrival: day(48), departure: day(50) }).catch((x) => x);
	expect(e).toMatchObject({ code: 'invalid', field: 'arrival' });
	await book.cancel(created.id);
});

it('takes a modification whose cancelled room the hotel cannot place (unmapped, undated): that room is freed, the rest applied', async () => {
	const hotel = new HotelService(db);
	const mappings = new ChannelMappings(db, 'intake');
	await mappings.set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'room_type', hotelCode: 'FAM', channelCode: 'R-FAM' },
	]);
	const OTA = 'xmlns="http://www.opentravel.org/OTA/2003/05"';
	const room = (index: string, type: string, extra = '', dates = `<TimeSpan Start="${day(24)}" End="${day(26)}"/>`) =>
		`<RoomStay IndexNumber="${index}" ${extra}><RoomTypes><RoomType RoomTypeCode="${type}"/></RoomTypes><GuestCounts><GuestCount Count="2"/></GuestCounts>${dates}</RoomStay>`;
	const message = (version: string, rooms: string) =>
		`<OTA_HotelResModifyNotifRQ ${OTA} Version="1.0"><HotelResModifies><HotelResModify><UniqueID Type="14" ID="IN-1" Instance="${version}"/><RoomStays>${rooms}</RoomStays><ResGuests><ResGuest><Profiles><ProfileInfo><Profile><Customer><PersonName><Surname>Ng</Surname></PersonName></Customer></Profile></ProfileInfo></Profiles></ResGuest></ResGuests></HotelResModify></HotelResModifies></OTA_HotelResModifyNotifRQ>`;
	const before = { dbl: await sold('DBL', 24, 25), fam: await sold('FAM', 24, 25) };
	await takeIn(hotel, mappings, parseReservations(message('1', room('1', 'R-DBL') + room('2', 'R-FAM'))));
	const [changed] = await takeIn(hotel, mappings, parseReservations(message('2', room('1', 'R-DBL') + room('2', 'R-GONE', 'RoomStayStatus="Cancelled"', ''))));
	expect(changed.ack.ok).toBe(true);
	expect(await sold('FAM', 24, 25)).toEqual(before.fam);
	expect(await sold('DBL', 24, 25)).toEqual(before.dbl.map((n) => n + 1));
	// Every room cancelled, even undated: the reservation is cancelled.
	const [cancelled] = await takeIn(hotel, mappings, parseReservations(message('3', room('1', 'R-DBL', 'RoomStayStatus="Cancelled"', ''))));
	expect(cancelled).toMatchObject({ ack: { ok: true }, change: { action: 'cancel', reservation: { status: 'cancelled' } } });
	expect(await sold('DBL', 24, 25)).toEqual(before.dbl);
});

describe('migration 8 on a store with single-room reservations', () => {
	let old: TestDatabase;
	afterAll(async () => old?.drop());

	it('turns each reservation into one room line and loses nothing', async () => {
		old = await createTestDatabase('rooms_old');
		const client = new Client(old.config);
		await client.connect();
		try {
			// The store as it was before migration 8, with rows written the old way.
			await client.query(`CREATE TABLE hotel_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
			for (const migration of migrations.filter((m) => m.version < 8)) {
				await client.query(migration.sql);
				await client.query('INSERT INTO hotel_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
			}
			await client.query(`INSERT INTO room_types (code, name) VALUES ('DBL', 'Double')`);
			await client.query(`INSERT INTO inventory_nights (room_type_code, night, allotment, sold) SELECT 'DBL', d::date, 5, CASE WHEN d < $1::date THEN 3 ELSE 0 END FROM generate_series($2::date, $3::date, interval '1 day') d`, [day(12), day(10), day(14)]);
			await client.query(
				`INSERT INTO reservations (id, channel, channel_reservation_id, channel_version, status, room_type_code, rate_plan_code, arrival, departure, rooms, adults, children, amount, currency, guest_name, overbooked)
				 VALUES ('HB-OLD1', 'booking_engine', NULL, NULL, 'booked', 'DBL', 'BAR', $1, $2, 2, 3, 1, 40000, 'eur', 'Zoë 山田 O''Brien', false),
				        ('HB-OLD2', 'booking', '4705', '3', 'modified', 'DBL', NULL, $1, $2, 1, 2, 0, NULL, NULL, 'Ana', false),
				        ('HB-OLD3', 'booking', '4706', '2', 'cancelled', 'DBL', NULL, $1, $2, 1, 2, 0, NULL, NULL, 'Bo', false)`,
				[day(10), day(12)],
			);
		} finally {
			await client.end();
		}
		const migrated = await getStore(old.config);
		const oldBook = new ReservationBook(migrated);
		expect(await oldBook.soldDrift()).toEqual([]);
		const first = await oldBook.get('HB-OLD1');
		expect(first).toMatchObject({ rooms: 2, adults: 3, children: 1, amount: 40000, guest: { name: 'Zoë 山田 O\'Brien' }, comments: [], paymentModel: null });
		expect(first.roomStays).toEqual([
			{ key: '1', status: 'active', roomType: 'DBL', ratePlan: 'BAR', arrival: day(10), departure: day(12), units: 2, adults: 3, children: 1, childAges: [], guestName: null, amount: 40000, taxes: null, currency: 'eur', nightly: [], overbooked: false },
		]);
		const counts = await migrated.query<{ reservations: string; rooms: string }>('SELECT (SELECT count(*) FROM reservations) AS reservations, (SELECT count(*) FROM reservation_rooms) AS rooms');
		expect(counts.rows[0]).toEqual({ reservations: '3', rooms: '3' });
		// A channel change to a migrated reservation moves its rooms as before.
		await oldBook.applyChannelChange(change('4705', '4', 'cancel'));
		expect(await oldBook.soldDrift()).toEqual([]);
		expect((await new HotelCatalog(migrated).nights('DBL', day(10), day(11))).map((n) => n.sold)).toEqual([2, 2]);
	});
});
