/**
 * The calendar's catch-up (lib/calendar/catchUp.ts) against the local Google peer and the real
 * PostgreSQL: the calendar converges to the hotel's store whatever it missed — after an outage,
 * every reservation changed meanwhile is right within one run of the calendar answering again, in
 * order, bounded per run, each version written once; old stays are left alone.
 */
import { CalendarClient } from '../../lib/calendar/client';
import { syncReservationsBehind } from '../../lib/calendar/catchUp';
import { eventIdFor } from '../../lib/calendar/events';
import { clearTokenCache, serviceAccountSender } from '../../lib/calendar/serviceAccount';
import { HotelService } from '../../lib/booking/hotelService';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startGooglePeer, type GooglePeer } from '../peers/googlePeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { day } from '../support/days';

const CAL = 'hotel@group.calendar.google.com';
const times = { timeZone: 'Europe/Berlin', checkInTime: '15:00', checkOutTime: '11:00' };
let database: TestDatabase;
let db: Db;
let hotel: HotelService;
let peer: GooglePeer;
let client: CalendarClient;

beforeAll(async () => {
	database = await createTestDatabase('calcatchup');
	db = await getStore(database.config);
	hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(-20), to: day(60), allotment: 20 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(-20), to: day(60), amount: 10000 });
	peer = await startGooglePeer();
	client = new CalendarClient(serviceAccountSender(peer.credential(CAL)), peer.apiBaseUrl, { resilience: { maxAttempts: 1 } });
});
afterAll(async () => {
	await peer.stop();
	await closeAllStores();
	await database.drop();
});
beforeEach(() => {
	resetPartnerPolicies();
	clearTokenCache();
});

const stay = (arrival: number, name: string) => ({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(arrival), departure: day(arrival + 2), adults: 2, guest: { name } });
const run = (limit = 50, calendar = 'cal-A') => syncReservationsBehind(client, db, { calendar, calendarId: CAL, times, limit, pastDays: 7 });
const eventOf = (id: string) => peer.events.filter((e) => e.id === eventIdFor(id)).at(-1);

it('after an outage, syncs every reservation changed meanwhile in one run, each once; then has nothing to do', async () => {
	const a = await hotel.create(stay(5, 'Ada'));
	const b = await hotel.create(stay(6, "Bob O'Brien; DROP TABLE reservations"));
	await hotel.update(a.id, { departure: day(9) });
	const c = await hotel.create(stay(7, 'Zoë'));
	await hotel.cancel(c.id);

	peer.fail(100); // the calendar is down
	const down = await run();
	expect(down.synced).toEqual([]);
	expect(down.failed).toMatchObject({ reservationId: expect.any(String), error: expect.any(String) });
	expect(down.remaining).toBe(3);
	peer.fail(0);

	const back = await run();
	expect(back.failed).toBeUndefined();
	expect(back.synced.map((s) => [s.reservationId, s.version, s.action])).toEqual([
		[b.id, 1, 'created'],
		[a.id, 2, 'created'],
		[c.id, 2, 'unchanged'], // cancelled before the calendar ever showed it: nothing to cancel
	]);
	expect(eventOf(a.id)).toMatchObject({ status: 'confirmed', end: { dateTime: expect.stringContaining(day(9)) } });
	expect(eventOf(b.id)?.summary).toContain("Bob O'Brien");
	expect(back.remaining).toBe(0);
	expect((await run()).synced).toEqual([]);

	// A change later: only that reservation is synced.
	await hotel.cancel(b.id);
	const next = await run();
	expect(next.synced).toEqual([{ reservationId: b.id, version: 2, action: 'cancelled' }]);
	expect(eventOf(b.id)?.status).toBe('cancelled');
});

it('is bounded per run, keeps each calendar apart, and leaves stays that ended long ago', async () => {
	const old = await hotel.create(stay(30, 'Long Gone'));
	await db.query('UPDATE reservations SET arrival = $2, departure = $3 WHERE id = $1', [old.id, day(-15), day(-10)]); // a stay that ended 10 days ago
	const many = [];
	for (let n = 0; n < 5; n++) many.push(await hotel.create(stay(10 + n, `Guest ${n}`)));
	const first = await run(3, 'cal-B');
	expect(first.synced).toHaveLength(3);
	expect(first.remaining).toBeGreaterThan(0);
	let rest = await run(100, 'cal-B');
	while (rest.remaining > 0) rest = await run(100, 'cal-B');
	const seenByB = (await db.query<{ reservation_id: string }>("SELECT reservation_id FROM calendar_sync_state WHERE calendar = 'cal-B'")).rows.map((r) => r.reservation_id);
	expect(seenByB).toEqual(expect.arrayContaining(many.map((m) => m.id)));
	expect(seenByB).not.toContain(old.id);
	// Calendar A has its own state: it syncs the new ones, not what B did.
	expect((await run(100, 'cal-A')).synced.map((s) => s.reservationId).sort()).toEqual(many.map((m) => m.id).sort());
});
