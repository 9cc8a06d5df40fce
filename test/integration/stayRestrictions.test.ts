/**
 * Stay restrictions (minimum and maximum stay, closed to arrival, closed to departure), set per
 * room type and night as the Hotel Reservations node's Inventory → Set does (HotelService.setInventory),
 * against the real PostgreSQL:
 *  - a booking the hotel controls (booking engine, front desk) that breaks one is refused with an
 *    error naming the rule, and changes nothing; one that respects them all is taken;
 *  - a channel's booking (the OTA intake) is taken through them: the channel sold the stay.
 */
import { HotelService } from '../../lib/booking/hotelService';
import { takeIn } from '../../lib/channels/intake';
import { ChannelMappings } from '../../lib/channels/mapping';
import { HotelError } from '../../lib/errors';
import { addDays } from '../../lib/inventory/dates';
import type { StayInput } from '../../lib/inventory/reservations';
import { parseReservations, type ChannelReservation, type ReservationFailure } from '../../lib/ota';
import { buildHotelResNotifRQ } from '../peers/ota/messages';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { day } from '../support/days';
import { createTestDatabase, type TestDatabase } from '../support/services';

let database: TestDatabase;
let db: Db;
let hotel: HotelService;

const ALLOTMENT = 5;
const RATE = 10_000;

beforeAll(async () => {
	database = await createTestDatabase('stayrules');
	db = await getStore(database.config);
	hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double room', maxOccupancy: 2 });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(60), allotment: ALLOTMENT });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(60), amount: RATE });
	// Each restriction on nights of its own; the stays below are one night short of, or past, each.
	await hotel.setInventory({ roomType: 'DBL', from: day(10), to: day(10), minLos: 3 });
	await hotel.setInventory({ roomType: 'DBL', from: day(15), to: day(15), maxLos: 2 });
	await hotel.setInventory({ roomType: 'DBL', from: day(20), to: day(20), closedToArrival: true });
	await hotel.setInventory({ roomType: 'DBL', from: day(26), to: day(26), closedToDeparture: true });
});
afterAll(async () => {
	await closeAllStores();
	await database.drop();
});
afterEach(async () => {
	expect(await hotel.book.soldDrift()).toEqual([]);
});

/** A stay of one double room, as the booking engine sends it. */
const stay = (arrival: string, departure: string): StayInput => ({
	roomType: 'DBL',
	ratePlan: 'BAR',
	arrival,
	departure,
	adults: 2,
	guest: { name: 'Grace Hopper', email: 'grace@example.com' },
});

/** Each stay breaks exactly one rule, by one night; `rule` is how the refusal must name it. */
const BROKEN = [
	{ what: 'the minimum stay of the arrival night', arrival: day(10), departure: day(12), rule: `arrival on ${day(10)} needs a stay of at least 3 nights` },
	{ what: 'the maximum stay of the arrival night', arrival: day(15), departure: day(18), rule: `arrival on ${day(15)} allows at most 2 nights` },
	{ what: 'closed to arrival on the arrival night', arrival: day(20), departure: day(22), rule: `arrival on ${day(20)} is closed` },
	{ what: 'closed to departure on the departure date', arrival: day(24), departure: day(26), rule: `departure on ${day(26)} is closed` },
];

/**
 * How the store refuses a hotel-controlled stay that breaks a restriction: as it refuses a stay
 * it cannot sell — the one rule availability and booking share (lib/inventory/rules.ts,
 * whyNotBookable), raised by roomAccounting.ts's soldOutRefusal — so code sold_out, HTTP 409, no
 * field, and the message says which rule. (The booking-engine trigger answers the same 409 before
 * starting an execution, through ReservationBook.soldOutNow.)
 */
const REFUSAL = { code: 'sold_out', status: 409 } as const;

/** Everything a booking writes: rooms sold per night, reservations and their rooms, history, events, the data version. */
async function snapshot() {
	const sold = await db.query<{ night: string; sold: number }>("SELECT night::text AS night, sold FROM inventory_nights WHERE room_type_code = 'DBL' ORDER BY night");
	const counts = await db.query<{ reservations: number; rooms: number; history: number; events: number; dataVersion: string }>(
		`SELECT (SELECT count(*) FROM reservations)::int AS reservations, (SELECT count(*) FROM reservation_rooms)::int AS rooms,
		        (SELECT count(*) FROM reservation_history)::int AS history, (SELECT count(*) FROM hotel_events)::int AS events,
		        (SELECT version FROM hotel_data_version)::text AS "dataVersion"`,
	);
	return { sold: sold.rows, ...counts.rows[0] };
}

/** Rooms sold on each night from `from` to `to`, both inclusive. */
async function soldOn(from: string, to: string): Promise<number[]> {
	return (await hotel.catalog.nights('DBL', from, to)).map((n) => n.sold);
}

async function refusalOf(p: Promise<unknown>): Promise<HotelError> {
	const error = await p.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(HotelError);
	return error as HotelError;
}

describe('a booking the hotel controls', () => {
	it.each(BROKEN)('is refused when it breaks $what, naming the rule, and changes nothing', async ({ arrival, departure, rule }) => {
		const before = await snapshot();
		const input = stay(arrival, departure);
		const error = await refusalOf(hotel.create(input));
		expect(error.message).toContain(rule);
		expect(error.message).toContain(`from ${arrival} to ${departure}`);
		expect({ code: error.code, status: error.status }).toEqual(REFUSAL);
		expect(await snapshot()).toEqual(before);
		// The check made before a booking's turn gives the same refusal, and availability offers no such stay.
		expect((await hotel.book.soldOutNow(input))?.message).toBe(error.message);
		expect((await hotel.availability({ arrival, departure, roomType: 'DBL' })).offers).toEqual([]);
	});

	it('is taken when it respects every restriction, including exactly the minimum and maximum stay', async () => {
		const arrival = day(40);
		const departure = day(43);
		// On the arrival night: at least 3 and at most 3 nights (this stay is 3). Restrictions on the
		// nights in between and on the departure date count only for stays arriving or leaving then.
		await hotel.setInventory({ roomType: 'DBL', from: arrival, to: arrival, minLos: 3, maxLos: 3 });
		await hotel.setInventory({ roomType: 'DBL', from: day(41), to: day(41), minLos: 5, maxLos: 1, closedToArrival: true, closedToDeparture: true });
		await hotel.setInventory({ roomType: 'DBL', from: day(42), to: day(42), maxLos: 1, closedToArrival: true });
		await hotel.setInventory({ roomType: 'DBL', from: departure, to: departure, closedToArrival: true, minLos: 4 });
		const before = await snapshot();
		const soldBefore = await soldOn(arrival, departure);

		expect(await hotel.book.soldOutNow(stay(arrival, departure))).toBeUndefined();
		const reservation = await hotel.create(stay(arrival, departure));
		expect(reservation).toMatchObject({ status: 'booked', arrival, departure, rooms: 1, amount: 3 * RATE, overbooked: false });
		// The three nights are taken; the departure date is not a night of the stay.
		expect(await soldOn(arrival, departure)).toEqual([soldBefore[0] + 1, soldBefore[1] + 1, soldBefore[2] + 1, soldBefore[3]]);
		expect((await snapshot()).reservations).toBe(before.reservations + 1);

		// The same restrictions, one night off either way, still refuse it: the exact limits were met, not ignored.
		expect((await refusalOf(hotel.create(stay(arrival, addDays(departure, -1))))).message).toContain(`at least 3 nights`);
		expect((await refusalOf(hotel.create(stay(arrival, addDays(departure, 1))))).message).toContain(`at most 3 nights`);
		await hotel.cancel(reservation.id);
	});
});

describe('a channel booking (OTA intake)', () => {
	// A channel's booking is guaranteed: the channel has already confirmed the stay to the guest,
	// so the store takes it whatever the hotel's restrictions say (ReservationBook.applyChannelChange
	// moves rooms uncontrolled: lib/inventory/roomAccounting.ts checks no rule for it) — as it takes
	// an overbooking and flags it. Restrictions are the channel's to apply before it sells (they are
	// pushed to it); the hotel does not turn away a guest the channel already accepted.
	it('takes the stays the hotel refuses for a restriction, holding their rooms, and acknowledges each', async () => {
		const mappings = new ChannelMappings(db, 'booking');
		await mappings.set([
			{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
			{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'P-BAR' },
		]);
		const reservations: ChannelReservation[] = BROKEN.map(({ arrival, departure }, i) => ({
			channelReservationId: `BK-RESTRICTED-${i + 1}`,
			version: '1',
			action: 'book',
			arrival,
			departure,
			roomStays: [
				{ index: '1', status: 'active', roomType: 'R-DBL', ratePlan: 'P-BAR', arrival, departure, units: 1, adults: 2, children: 0, childAges: [], nightly: [], amount: 25_000, currency: 'EUR' },
			],
			amount: 25_000,
			currency: 'EUR',
			guest: { name: `Channel guest ${i + 1}` },
			comments: [],
			specialRequests: [],
		}));
		const batch = parseReservations(buildHotelResNotifRQ(reservations));
		expect(batch.reservations.map((r) => [r.channelReservationId, r.arrival, r.departure])).toEqual(reservations.map((r) => [r.channelReservationId, r.arrival, r.departure]));

		const before = await snapshot();
		const soldBefore = await Promise.all(BROKEN.map(({ arrival, departure }) => soldOn(arrival, addDays(departure, -1))));
		const failures: ReservationFailure[] = [];
		const results = await takeIn(hotel, mappings, batch, async (failure) => {
			failures.push(failure);
		});

		expect(failures).toEqual([]);
		expect(results.map((r) => r.ack)).toEqual(reservations.map((r) => ({ channelReservationId: r.channelReservationId, ok: true, confirmationNumber: expect.any(String) })));
		for (const [i, result] of results.entries()) {
			const { arrival, departure } = BROKEN[i];
			expect(result.change).toMatchObject({ action: 'book', applied: true, reservation: { channel: 'booking', status: 'booked', arrival, departure, overbooked: false } });
			expect(result.ack.confirmationNumber).toBe(result.change!.reservation.id);
			// Its rooms are held like any other booking's.
			expect(await soldOn(arrival, addDays(departure, -1))).toEqual(soldBefore[i].map((n) => n + 1));
		}
		expect((await snapshot()).reservations).toBe(before.reservations + BROKEN.length);

		// The restrictions are still in force for the hotel's own bookings.
		for (const { arrival, departure, rule } of BROKEN) expect((await refusalOf(hotel.create(stay(arrival, departure)))).message).toContain(rule);
	});
});
