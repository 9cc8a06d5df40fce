/**
 * The inventory invariants of issue #3, against the real PostgreSQL, under concurrency.
 */
import type { HotelCatalog } from '../../lib/inventory/catalog';
import { addDays } from '../../lib/inventory/dates';
import { HotelError } from '../../lib/errors';
import type { ReservationBook } from '../../lib/inventory/reservations';
import type { Db } from '../../lib/store/db';
import { doubleRoomStays, openReservationStore } from '../support/reservationStore';
import { day } from '../support/days';

let db: Db;
let catalog: HotelCatalog;
let book: ReservationBook;
let close: () => Promise<void>;

beforeAll(async () => {
	({ db, catalog, book, close } = await openReservationStore('resv'));
	await catalog.upsertRoomType({ code: 'DBL', name: 'Double room', maxOccupancy: 2 });
	await catalog.upsertRoomType({ code: 'STE', name: 'Suite', maxOccupancy: 4 });
	await catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	await catalog.setInventory({ roomType: 'DBL', from: day(1), to: day(60), allotment: 10 });
	await catalog.setInventory({ roomType: 'STE', from: day(1), to: day(60), allotment: 3 });
	await catalog.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(60), amount: 12000 });
	await catalog.setRates({ roomType: 'STE', ratePlan: 'BAR', from: day(1), to: day(60), amount: 30000 });
});
afterAll(() => close());
afterEach(async () => {
	expect(await book.soldDrift()).toEqual([]);
});

const stay = doubleRoomStays({ name: 'Ada Lovelace', email: 'ada@example.com' });

const error = async (p: Promise<unknown>) => {
	const e = await p.then(() => undefined, (x) => x);
	expect(e).toBeInstanceOf(HotelError);
	return e as HotelError;
};

it('prices a booking from the rate plan and takes the rooms', async () => {
	const r = await book.create(stay({ arrival: day(3), departure: day(6) }));
	expect(r).toMatchObject({ status: 'booked', amount: 36000, currency: 'eur', rooms: 1, overbooked: false, channel: 'booking_engine' });
	const nights = await catalog.nights('DBL', day(3), day(5));
	expect(nights.map((n) => n.sold)).toEqual([1, 1, 1]);
});

it('confirms exactly 5 of 200 concurrent attempts for the last 5 rooms', async () => {
	const arrival = day(20);
	const departure = day(22);
	await catalog.setInventory({ roomType: 'DBL', from: arrival, to: addDays(departure, -1), allotment: 5 });
	const results = await Promise.allSettled(
		Array.from({ length: 200 }, (_, i) => book.create(stay({ arrival, departure, guest: { name: `Guest ${i}` } }))),
	);
	const ok = results.filter((r) => r.status === 'fulfilled');
	const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
	expect(ok).toHaveLength(5);
	expect(refused).toHaveLength(195);
	expect(refused.every((r) => r.reason instanceof HotelError && r.reason.code === 'sold_out')).toBe(true);
	expect((await catalog.nights('DBL', arrival, addDays(departure, -1))).map((n) => n.sold)).toEqual([5, 5]);
});

it('tells a sold-out stay before booking it (soldOutNow), with create()\'s own refusal, and changes nothing', async () => {
	const arrival = day(25);
	const departure = day(26);
	await catalog.setInventory({ roomType: 'STE', from: arrival, to: arrival, allotment: 1 });
	const suite = stay({ roomType: 'STE', arrival, departure });
	const versionBefore = (await db.query<{ version: string }>('SELECT version::text FROM hotel_data_version')).rows[0]?.version;
	expect(await book.soldOutNow(suite)).toBeUndefined();
	expect((await catalog.nights('STE', arrival, arrival))[0].sold).toBe(0); // the dry run sold nothing
	expect((await db.query<{ version: string }>('SELECT version::text FROM hotel_data_version')).rows[0]?.version).toBe(versionBefore);
	await book.create(suite);
	const told = await book.soldOutNow(suite);
	const refused = await error(book.create(suite));
	expect(told).toBeInstanceOf(HotelError);
	expect({ code: told?.code, message: told?.message, status: told?.status }).toEqual({ code: refused.code, message: refused.message, status: refused.status });
	// Refusals other than sold out are create()'s to give: soldOutNow says nothing of them.
	expect(await book.soldOutNow(stay({ roomType: 'PENTHOUSE' }))).toBeUndefined();
	expect(await book.soldOutNow(stay({ guest: { name: '' } }))).toBeUndefined();
	expect((await catalog.nights('STE', arrival, arrival))[0].sold).toBe(1);
});

it('always stores a channel booking and flags it overbooked when a night is short', async () => {
	const arrival = day(30);
	await catalog.setInventory({ roomType: 'STE', from: arrival, to: arrival, allotment: 1 });
	const first = await book.applyChannelChange({ channel: 'booking.com', channelReservationId: 'BDC-1', channelVersion: '1', action: 'book', stay: stay({ roomType: 'STE', ratePlan: undefined, arrival, departure: day(31), amount: 31000, currency: 'EUR' }) });
	const second = await book.applyChannelChange({ channel: 'expedia', channelReservationId: 'EXP-1', channelVersion: '1', action: 'book', stay: stay({ roomType: 'STE', ratePlan: undefined, arrival, departure: day(31) }) });
	expect(first.reservation.overbooked).toBe(false);
	expect(second.reservation).toMatchObject({ overbooked: true, status: 'booked' });
	expect((await catalog.nights('STE', arrival, arrival))[0]).toMatchObject({ allotment: 1, sold: 2 });
});

it('moves rooms from the old nights to the new ones on a modification, and frees them on cancellation', async () => {
	const r = await book.create(stay({ roomType: 'STE', arrival: day(40), departure: day(42) }));
	const moved = await book.update(r.id, { arrival: day(41), departure: day(44) });
	expect(moved).toMatchObject({ status: 'modified', arrival: day(41), departure: day(44), amount: 90000, version: 2 });
	expect((await catalog.nights('STE', day(40), day(43))).map((n) => n.sold)).toEqual([0, 1, 1, 1]);
	const cancelled = await book.cancel(r.id);
	expect(cancelled.status).toBe('cancelled');
	expect((await catalog.nights('STE', day(40), day(43))).map((n) => n.sold)).toEqual([0, 0, 0, 0]);
	expect((await book.cancel(r.id)).version).toBe(cancelled.version); // twice changes nothing
});

it('applies the same channel change once, however often it is delivered, even concurrently', async () => {
	const change = { channel: 'booking.com', channelReservationId: 'BDC-DUP', channelVersion: '7', action: 'book' as const, stay: stay({ ratePlan: undefined, arrival: day(45), departure: day(47) }) };
	const results = await Promise.all(Array.from({ length: 10 }, () => book.applyChannelChange(change)));
	expect(results.filter((r) => r.applied)).toHaveLength(1);
	expect(new Set(results.map((r) => r.reservation.id)).size).toBe(1);
	expect((await catalog.nights('DBL', day(45), day(46))).map((n) => n.sold)).toEqual([1, 1]);
});

it('creates a booking from a modification that arrives first, and records a cancellation of an unknown booking', async () => {
	const mod = await book.applyChannelChange({ channel: 'expedia', channelReservationId: 'EXP-EARLY', channelVersion: '2', action: 'modify', stay: stay({ ratePlan: undefined, arrival: day(50), departure: day(51) }) });
	expect(mod).toMatchObject({ applied: true, reservation: { status: 'booked', channelVersion: '2' } });
	// The original booking (version 1) arrives late, with other dates: the newer version stands.
	const late = await book.applyChannelChange({ channel: 'expedia', channelReservationId: 'EXP-EARLY', channelVersion: '1', action: 'book', stay: stay({ ratePlan: undefined, arrival: day(52), departure: day(54) }) });
	expect(late).toMatchObject({ applied: false, reservation: { id: mod.reservation.id, arrival: day(50), channelVersion: '2' } });
	const ghost = await book.applyChannelChange({ channel: 'expedia', channelReservationId: 'EXP-GHOST', channelVersion: '1', action: 'cancel' });
	expect(ghost).toMatchObject({ applied: true, reservation: { status: 'cancelled', channelReservationId: 'EXP-GHOST' } });
});

it('keeps sold equal to what reservations hold after a random mix of operations', async () => {
	let seed = 42;
	const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
	const ids: string[] = [];
	const ops = Array.from({ length: 120 }, (_, i) => async () => {
		const kind = rnd(5);
		const a = 1 + rnd(25);
		try {
			if (kind <= 1 || ids.length === 0) ids.push((await book.create(stay({ roomType: rnd(2) ? 'DBL' : 'STE', arrival: day(a), departure: day(a + 1 + rnd(4)), guest: { name: `Mix ${i}` } }))).id);
			else if (kind === 2) await book.update(ids[rnd(ids.length)], { arrival: day(a), departure: day(a + 1 + rnd(3)) });
			else if (kind === 3) await book.cancel(ids[rnd(ids.length)]);
			else await book.applyChannelChange({ channel: 'agoda', channelReservationId: `AG-${rnd(15)}`, channelVersion: String(rnd(4)), action: (['book', 'modify', 'cancel'] as const)[rnd(3)], stay: stay({ ratePlan: undefined, arrival: day(a), departure: day(a + 2) }) });
		} catch (e) {
			if (!(e instanceof HotelError)) throw e;
		}
	});
	await Promise.all(ops.map((op) => op()));
	expect(await book.soldDrift()).toEqual([]);
});

describe('clear errors that change nothing', () => {
	it('sold out', async () => {
		await catalog.setInventory({ roomType: 'STE', from: day(55), to: day(55), stopSell: true });
		const e = await error(book.create(stay({ roomType: 'STE', arrival: day(55), departure: day(56) })));
		expect([e.code, e.status, e.message]).toEqual(['sold_out', 409, expect.stringContaining('sales are stopped')]);
	});
	it('unknown room type and rate plan', async () => {
		expect((await error(book.create(stay({ roomType: 'PENTHOUSE' })))).message).toBe('Unknown room type "PENTHOUSE".');
		const e = await error(book.create(stay({ ratePlan: 'NOPE' })));
		expect([e.code, e.status, e.field]).toEqual(['not_found', 404, 'ratePlan']);
	});
	it('arrival not before departure, and dates in the past', async () => {
		expect((await error(book.create(stay({ arrival: day(5), departure: day(5) })))).field).toBe('departure');
		expect((await error(book.create(stay({ arrival: day(-2), departure: day(1) })))).message).toMatch(/in the past/);
		expect((await error(book.create(stay({ arrival: '2026-02-30' })))).message).toMatch(/not a real date/);
	});
	it('missing guest name, too many guests', async () => {
		const e = await error(book.create(stay({ guest: { name: '   ' } })));
		expect([e.status, e.field, e.message]).toEqual([422, 'guest.name', 'The guest name is missing.']);
		expect((await error(book.create(stay({ adults: 3 })))).field).toBe('adults');
	});
	it('stores SQL metacharacters and Unicode in names as data', async () => {
		const r = await book.create(stay({ arrival: day(57), departure: day(58), guest: { name: "Zoë O'Brien'); DROP TABLE reservations;-- 😀" } }));
		expect((await book.get(r.id)).guest.name).toBe("Zoë O'Brien'); DROP TABLE reservations;-- 😀");
	});
	it('unknown reservation', async () => {
		expect((await error(book.get('HB-NOPE'))).status).toBe(404);
	});
});
