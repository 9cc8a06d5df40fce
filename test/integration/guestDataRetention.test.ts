/**
 * Guest data retention and erasure (lib/privacy/guestData.ts) on the real PostgreSQL: after a run,
 * no personal value of an expired stay is left in ANY text or JSON column of ANY table (every column
 * is scanned, so a table added later is covered too); ids, dates, amounts, payments, counts and
 * inventory are unchanged; guests within the retention keep their data; a second run changes
 * nothing; on request, a stay still to come is refused and nothing changes.
 */
import { HotelService } from '../../lib/booking/hotelService';
import { composeEmail } from '../../lib/email/compose';
import { EmailOutbox } from '../../lib/email/outbox';
import { HotelError } from '../../lib/errors';
import { addDays, today } from '../../lib/inventory/dates';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { ERASED_NAME } from '../../lib/privacy/guestData';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';

const LONG_AGO = '2024-03-01'; // "today" when the old stays were booked
const OLD = { name: "Zoë O'Brien-Łukasz 😀", email: 'zoe.obrien@guest.example', phone: '+49 170 1234567', comment: 'Allergic to feathers', request: 'Quiet room please' };
const RECENT = { name: 'Grace Recentstay', email: 'grace.recent@guest.example', phone: '+44 20 7946 0000' };

let database: TestDatabase;
let db: Db;
let oldIds: string[];
let recentId: string;

/** Every text, varchar and json(b) column of every table of the store. */
async function textColumns(): Promise<Array<{ table: string; column: string }>> {
	const { rows } = await db.query<{ table_name: string; column_name: string }>(
		`SELECT table_name, column_name FROM information_schema.columns
		 WHERE table_schema = 'public' AND data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
		 ORDER BY table_name, column_name`,
	);
	return rows.map((r) => ({ table: r.table_name, column: r.column_name }));
}

/** Where a value still appears: "table.column" for every column holding it. */
async function whereFound(value: string): Promise<string[]> {
	const found: string[] = [];
	for (const { table, column } of await textColumns()) {
		const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`, [value]);
		if (rows[0].n > 0) found.push(`${table}.${column}`);
	}
	return found;
}

/** What accounting and inventory rely on, to compare before and after. */
async function ledgerFacts() {
	const q = async (sql: string) => (await db.query(sql)).rows;
	return {
		reservations: await q('SELECT id, channel, channel_reservation_id, status, room_type_code, arrival::text, departure::text, rooms, adults, amount, currency FROM reservations ORDER BY id'),
		rooms: await q('SELECT reservation_id, line, room_type_code, arrival::text, departure::text, units, amount FROM reservation_rooms ORDER BY reservation_id, line'),
		payments: await q('SELECT id, reservation_id, amount, amount_received, status FROM payments ORDER BY id'),
		billing: await q('SELECT reservation_id, status, amount_paid FROM reservation_billing ORDER BY reservation_id'),
		inventory: await q('SELECT room_type_code, night::text, allotment, sold FROM inventory_nights ORDER BY 1, 2'),
		counts: await q(`SELECT (SELECT count(*) FROM reservation_history)::int AS history, (SELECT count(*) FROM hotel_events)::int AS events, (SELECT count(*) FROM email_outbox)::int AS emails`),
	};
}

beforeAll(async () => {
	database = await createTestDatabase('retention');
	db = await getStore(database.config);
	const then = new HotelService(db, { today: () => LONG_AGO });
	await then.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await then.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await then.setInventory({ roomType: 'DBL', from: '2024-03-01', to: addDays(today(), 60), allotment: 5 });
	await then.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: '2024-03-01', to: addDays(today(), 60), amount: 10000 });

	// Two old stays of one guest: one direct (then changed), one from a channel (then cancelled).
	const direct = await then.book.create({
		roomType: 'DBL',
		ratePlan: 'BAR',
		arrival: '2024-04-01',
		departure: '2024-04-03',
		adults: 2,
		guest: { name: OLD.name, email: OLD.email, phone: OLD.phone },
		comments: [OLD.comment],
		specialRequests: [OLD.request],
	});
	await then.book.update(direct.id, { departure: '2024-04-04' });
	const { reservation: viaChannel } = await then.book.applyChannelChange({
		channel: 'booking',
		channelReservationId: 'BDC-OLD-1',
		channelVersion: '1',
		action: 'book',
		stay: { roomStays: [{ roomType: 'DBL', ratePlan: 'BAR', guestName: OLD.name, adults: 1 }], arrival: '2024-05-01', departure: '2024-05-02', guest: { name: OLD.name, email: OLD.email } },
	});
	await then.book.cancel(viaChannel.id);
	oldIds = [direct.id, viaChannel.id];
	// The channel first sent it in a shape we could not take in: its XML, as it came, in the sync log.
	await db.query(
		"INSERT INTO channel_sync_log (channel, message, direction, status, error, reservation_id, detail) VALUES ('booking', 'OTA_HotelResNotifRQ', 'pull', 'rejected', 'no stay dates', 'BDC-OLD-1', $1)",
		[`<HotelReservation><Profile><GivenName>${OLD.name}</GivenName><Email>${OLD.email}</Email></Profile></HotelReservation>`],
	);
	await new BillingLedger(db).apply({ paymentId: 'pi_old', reservationId: direct.id, currency: 'eur', amount: 30000, amountReceived: 30000, status: 'succeeded' });
	const outbox = new EmailOutbox(db);
	await outbox.enqueue(composeEmail({ template: 'reservationConfirmation', hotel: { name: 'Hotel Seeblick' }, source: await then.book.get(direct.id), to: OLD.email }));

	// A stay that ended a week ago: within the retention.
	const recent = await new HotelService(db, { today: () => addDays(today(), -10) }).book.create({
		roomType: 'DBL',
		ratePlan: 'BAR',
		arrival: addDays(today(), -9),
		departure: addDays(today(), -7),
		adults: 1,
		guest: RECENT,
	});
	recentId = recent.id;
	await outbox.enqueue(composeEmail({ template: 'reservationConfirmation', hotel: { name: 'Hotel Seeblick' }, source: recent, to: RECENT.email }));
});

afterAll(async () => {
	await closeAllStores();
	await database.drop();
});

it('finds the guest everywhere before (the scan is real)', async () => {
	expect(await whereFound('Łukasz')).toContain('email_outbox.html'); // the full name is HTML-escaped there
	expect(await whereFound(OLD.name)).toEqual(expect.arrayContaining(['channel_sync_log.detail', 'email_outbox.text_body', 'hotel_events.payload', 'reservation_history.snapshot', 'reservation_rooms.guest_name', 'reservations.guest_name']));
	expect(await whereFound(OLD.email)).toEqual(expect.arrayContaining(['email_outbox.to_address', 'reservations.guest_email']));
});

it('erases every personal value of the stays past the retention, keeps what accounting needs, and leaves recent guests alone', async () => {
	const before = await ledgerFacts();
	const report = await new HotelService(db).eraseExpiredGuestData({ daysAfterDeparture: 365 });
	expect(report.erased.map((e) => e.reservationId).sort()).toEqual([...oldIds].sort());
	expect(report).toMatchObject({ daysAfterDeparture: 365, departedBefore: addDays(today(), -365), remaining: 0 });
	expect(report.erased.find((e) => e.reservationId === oldIds[0])).toMatchObject({ historyRows: 2, emails: 1 });
	expect(report.erased.find((e) => e.reservationId === oldIds[1])).toMatchObject({ channelLogDetails: 1 });

	for (const value of [...Object.values(OLD), 'Łukasz']) expect([value, await whereFound(value)]).toEqual([value, []]);
	for (const value of Object.values(RECENT)) expect((await whereFound(value)).length).toBeGreaterThan(0);

	const after = await ledgerFacts();
	expect(after).toEqual(before);
	const erased = await new HotelService(db).book.get(oldIds[0]);
	expect(erased).toMatchObject({ guest: { name: ERASED_NAME, email: null, phone: null }, comments: [], specialRequests: [], amount: 30000, arrival: '2024-04-01' });
	const mail = (await db.query<{ status: string; subject: string }>('SELECT status, subject FROM email_outbox WHERE reservation_id = $1', [oldIds[0]])).rows;
	expect(mail).toEqual([{ status: 'failed', subject: '[erased]' }]); // it was still queued: it must not go out empty

	// Run again: nothing left to do.
	expect(await new HotelService(db).eraseExpiredGuestData({ daysAfterDeparture: 365 })).toMatchObject({ erased: [], remaining: 0 });
});

it('erases one guest on request, refusing while a stay is still to come; SQL in the address is data', async () => {
	const hotel = new HotelService(db);
	const upcoming = await hotel.book.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: addDays(today(), 20), departure: addDays(today(), 22), adults: 1, guest: RECENT });
	const before = await ledgerFacts();
	const refused = await hotel.eraseGuestData({ email: RECENT.email.toUpperCase() }).catch((e) => e);
	expect(refused).toBeInstanceOf(HotelError);
	expect(refused.message).toContain(`Not erased: ${upcoming.id}`);
	expect(await ledgerFacts()).toEqual(before);
	expect((await whereFound(RECENT.name)).length).toBeGreaterThan(0);

	await hotel.book.cancel(upcoming.id);
	const done = await hotel.eraseGuestData({ email: RECENT.email });
	expect(done.erased.map((e) => e.reservationId).sort()).toEqual([recentId, upcoming.id].sort());
	for (const value of Object.values(RECENT)) expect([value, await whereFound(value)]).toEqual([value, []]);

	expect(await hotel.eraseGuestData({ email: "x' OR '1'='1" })).toMatchObject({ erased: [], otherEmails: 0 });
	await expect(hotel.eraseGuestData({ reservationId: 'HB-NOPE' })).rejects.toThrow(/No reservation with id "HB-NOPE"/);
	await expect(hotel.eraseGuestData({})).rejects.toThrow(/Give the reservation id or the guest e-mail/);
	await expect(hotel.eraseExpiredGuestData({ daysAfterDeparture: -1 })).rejects.toThrow(/from 0 to 3650/);
});
