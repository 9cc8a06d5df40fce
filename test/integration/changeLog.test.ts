/**
 * The change record the OTA push reads: exactly what changed, never skipped even when a slow
 * transaction commits after a faster one with a higher id, and resumable after a restart.
 */
import { Client } from 'pg';
import { readChanges, START } from '../../lib/inventory/changeLog';
import { HotelService } from '../../lib/booking/hotelService';
import { closeAllStores, getStore } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { day } from '../support/days';

let database: TestDatabase;

beforeAll(async () => {
	database = await createTestDatabase('changes');
	const hotel = new HotelService(await getStore(database.config));
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
});
afterAll(async () => {
	await closeAllStores();
	await database.drop();
});

it('records which nights, room types and kinds changed, and resumes from a saved cursor after a restart', async () => {
	const db = await getStore(database.config);
	const hotel = new HotelService(db);
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(3), allotment: 5 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(2), to: day(2), amount: 9000 });
	const first = await readChanges(db, START);
	expect(first.changes).toEqual([
		{ roomType: 'DBL', ratePlan: null, night: day(1), kind: 'availability' },
		{ roomType: 'DBL', ratePlan: null, night: day(2), kind: 'availability' },
		{ roomType: 'DBL', ratePlan: null, night: day(3), kind: 'availability' },
		{ roomType: 'DBL', ratePlan: 'BAR', night: day(2), kind: 'rate' },
	]);
	const saved = JSON.stringify(first.cursor); // what the push keeps durably

	await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(2), departure: day(3), guest: { name: 'Ada' } }).catch(() => undefined);
	await hotel.setInventory({ roomType: 'DBL', from: day(5), to: day(5), stopSell: true });
	await closeAllStores(); // "restart"
	const again = await getStore(database.config);
	const next = await readChanges(again, JSON.parse(saved));
	expect(next.changes).toEqual(
		expect.arrayContaining([
			{ roomType: 'DBL', ratePlan: null, night: day(5), kind: 'restrictions' },
		]),
	);
	expect(next.changes.some((c) => c.night === day(1))).toBe(false);
	expect((await readChanges(again, next.cursor)).changes).toEqual([]);
});

it('never skips a change whose transaction commits after a later one', async () => {
	const db = await getStore(database.config);
	const { cursor } = await readChanges(db, START);
	// A slow writer takes an id first and stays open (as recordChanges does: version row, then rows)...
	const slow = new Client(database.config);
	await slow.connect();
	await slow.query('BEGIN');
	await slow.query('UPDATE hotel_data_version SET version = version + 1');
	await slow.query(`INSERT INTO inventory_changes (room_type_code, night, kind) VALUES ('DBL', $1, 'availability')`, [day(40)]);
	// ...a fast writer would get a higher id; the reader waits for the slow one instead of skipping it.
	const fast = new HotelService(db).setInventory({ roomType: 'DBL', from: day(41), to: day(41), allotment: 2 });
	let settled = false;
	const reading = readChanges(db, cursor).then((r) => {
		settled = true;
		return r;
	});
	await new Promise((r) => setTimeout(r, 200));
	expect(settled).toBe(false);
	await slow.query('COMMIT');
	await slow.end();
	await fast;
	const first = await reading;
	const rest = await readChanges(db, first.cursor);
	expect([...first.changes, ...rest.changes].map((c) => c.night).sort()).toEqual([day(40), day(41)]);
});
