/**
 * The hotel's event feed against the real PostgreSQL: reservation and payment changes in order,
 * once per reader, none skipped while writers commit out of id order, redeliveries silent.
 */
import { latestHotelEvents, recentHotelEvents, takeHotelEvents } from '../../lib/events/hotelEvents';
import { dataVersion, type HotelCatalog } from '../../lib/inventory/catalog';
import type { ReservationBook } from '../../lib/inventory/reservations';
import { BillingLedger } from '../../lib/payments/billingLedger';
import type { Db } from '../../lib/store/db';
import { doubleRoomStays, openReservationStore } from '../support/reservationStore';
import { day } from '../support/days';

let db: Db;
let book: ReservationBook;
let close: () => Promise<void>;

beforeAll(async () => {
	let catalog: HotelCatalog;
	({ db, catalog, book, close } = await openReservationStore('events'));
	await catalog.upsertRoomType({ code: 'DBL', name: 'Double room', maxOccupancy: 2 });
	await catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	await catalog.setInventory({ roomType: 'DBL', from: day(1), to: day(90), allotment: 50 });
	await catalog.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(90), amount: 12000 });
});
afterAll(() => close());

const stay = doubleRoomStays({ name: 'Zoë <O\'Brien>', email: 'zoe@example.com' });

it('starts a new reader at the newest event, then hands it each reservation change once, in order', async () => {
	await book.create(stay()); // before the reader exists: not for it
	expect(await takeHotelEvents(db, 'reader-a')).toEqual([]);

	const r = await book.create(stay({ arrival: day(20), departure: day(22) }));
	await book.update(r.id, { departure: day(23) });
	await book.cancel(r.id);
	await book.cancel(r.id); // cancelling twice changes nothing, tells nobody
	const events = await takeHotelEvents(db, 'reader-a');
	expect(events.map((e) => [e.event, e.reservationId, e.reservation?.status, e.reservation?.version])).toEqual([
		['reservation.created', r.id, 'booked', 1],
		['reservation.modified', r.id, 'modified', 2],
		['reservation.cancelled', r.id, 'cancelled', 3],
	]);
	expect(events[1].reservation).toMatchObject({ departure: day(23), guest: { name: 'Zoë <O\'Brien>', email: 'zoe@example.com' } });
	expect(await takeHotelEvents(db, 'reader-a')).toEqual([]);
});

it('records channel changes once however often delivered, and not the cancellation of a booking never held', async () => {
	await takeHotelEvents(db, 'reader-b');
	const change = { channel: 'booking', channelReservationId: 'BDC-77', channelVersion: '1', action: 'book' as const, stay: stay({ arrival: day(30), departure: day(31) }) };
	await book.applyChannelChange(change);
	await book.applyChannelChange(change);
	await book.applyChannelChange({ channel: 'booking', channelReservationId: 'BDC-404', channelVersion: '1', action: 'cancel' });
	const events = await takeHotelEvents(db, 'reader-b');
	expect(events.map((e) => e.event)).toEqual(['reservation.created']);
	expect(events[0].reservation).toMatchObject({ channel: 'booking', channelReservationId: 'BDC-77' });
});

it('records payment transitions only: succeeded, failed, refunded — a redelivered event adds nothing', async () => {
	const ledger = new BillingLedger(db);
	const r = await book.create(stay({ arrival: day(40), departure: day(41) }));
	await takeHotelEvents(db, 'reader-c');
	const versionBefore = await dataVersion(db);
	const paid = { paymentId: 'pi_1', reservationId: r.id, currency: 'EUR', amount: 12000, amountReceived: 12000, status: 'succeeded' };
	await ledger.apply(paid);
	await ledger.apply(paid);
	await ledger.apply({ paymentId: 'pi_2', reservationId: r.id, currency: 'EUR', amount: 500, status: 'failed', error: 'card_declined' });
	await ledger.apply({ ...paid, amountRefunded: 2000 });
	await ledger.apply({ paymentId: 'pi_9', reservationId: 'R-ELSEWHERE', currency: 'EUR', amount: 100, amountReceived: 100, status: 'succeeded' });
	const events = await takeHotelEvents(db, 'reader-c', { events: ['payment.succeeded', 'payment.failed', 'payment.refunded'] });
	expect(events.map((e) => [e.event, e.payment?.paymentId, e.reservation?.id ?? null])).toEqual([
		['payment.succeeded', 'pi_1', r.id],
		['payment.failed', 'pi_2', r.id],
		['payment.refunded', 'pi_1', r.id],
	]);
	// pi_9 names no reservation of the store: held as unmatched, it is no reservation's payment yet and tells no guest anything.
	expect(events[1].payment).toMatchObject({ amount: 500, currency: 'eur', error: 'card_declined' });
	expect(events[2].payment).toMatchObject({ amountReceived: 12000, amountRefunded: 2000 });
	// A payment is no change of availability: cached availability answers stay valid.
	expect(await dataVersion(db)).toBe(versionBefore);
});

it('skips nothing while many writers commit out of id order and a reader keeps reading', async () => {
	await takeHotelEvents(db, 'reader-d');
	const seen: string[] = [];
	let writing = true;
	const reading = (async () => {
		while (writing) {
			for (const e of await takeHotelEvents(db, 'reader-d')) seen.push(e.reservationId);
			await new Promise((r) => setTimeout(r, 5));
		}
	})();
	const created = await Promise.all(Array.from({ length: 40 }, (_, i) => book.create(stay({ arrival: day(50 + (i % 20)), departure: day(51 + (i % 20)), guest: { name: `Guest ${i}` } }))));
	writing = false;
	await reading;
	for (const e of await takeHotelEvents(db, 'reader-d')) seen.push(e.reservationId);
	expect(seen.sort()).toEqual(created.map((r) => r.id).sort());
});

it('gives two concurrent polls of one reader disjoint events', async () => {
	await takeHotelEvents(db, 'reader-e');
	await Promise.all(Array.from({ length: 10 }, (_, i) => book.create(stay({ arrival: day(70 + i), departure: day(71 + i) }))));
	const [a, b] = await Promise.all([takeHotelEvents(db, 'reader-e', { limit: 6 }), takeHotelEvents(db, 'reader-e', { limit: 6 })]);
	const rest = await takeHotelEvents(db, 'reader-e');
	const ids = [...a, ...b, ...rest].map((e) => e.id);
	expect(ids).toHaveLength(10);
	expect(new Set(ids).size).toBe(10);
});

it('shows the newest matching event for "Test workflow" without moving any reader', async () => {
	await takeHotelEvents(db, 'reader-f');
	const r = await book.create(stay({ arrival: day(85), departure: day(86) }));
	await book.cancel(r.id);
	const [newestCreated] = await latestHotelEvents(db, { events: ['reservation.created'] });
	expect(newestCreated).toMatchObject({ event: 'reservation.created', reservationId: r.id });
	expect(await latestHotelEvents(db)).toEqual([expect.objectContaining({ event: 'reservation.cancelled', reservationId: r.id })]);
	expect((await takeHotelEvents(db, 'reader-f')).map((e) => e.event)).toEqual(['reservation.created', 'reservation.cancelled']);
});

it('re-reads the recent events of stays not over, for a catch-up, without moving any reader', async () => {
	const cursors = async () => (await db.query('SELECT consumer, event_id::text FROM hotel_event_cursors ORDER BY consumer')).rows;
	const before = await cursors();
	const current = await book.create(stay({ arrival: day(40), departure: day(42) }));
	const over = await book.create(stay({ arrival: day(44), departure: day(46) }));
	await db.query('UPDATE reservations SET arrival = $2, departure = $3 WHERE id = $1', [over.id, day(-5), day(-1)]); // a stay that ended yesterday
	await db.query("UPDATE hotel_events SET created_at = now() - interval '3 days' WHERE reservation_id = $1 AND event = 'reservation.created'", [current.id]);
	await book.update(current.id, { departure: day(43) });

	const recent = await recentHotelEvents(db, { hours: 24, events: ['reservation.created', 'reservation.modified'] });
	const mine = recent.filter((e) => e.reservationId === current.id || e.reservationId === over.id).map((e) => [e.event, e.reservationId]);
	expect(mine).toEqual([['reservation.modified', current.id]]); // the creation is older than the window, the other stay is over
	expect((await recentHotelEvents(db, { hours: 96 })).filter((e) => e.reservationId === current.id).map((e) => e.event)).toEqual(['reservation.created', 'reservation.modified']);
	expect(await cursors()).toEqual(before);
});
