/**
 * From the change log to ranges: the push sends the latest state of exactly the nights that
 * changed, merged into as few ranges as the values allow.
 */
import { ariForChanges } from '../../lib/channels/ariState';
import { HotelService } from '../../lib/booking/hotelService';
import { readChanges, START } from '../../lib/inventory/changeLog';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { day } from '../support/days';

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
	database = await createTestDatabase('ari');
	db = await getStore(database.config);
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRoomType({ code: 'STE', name: 'Suite' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
});
afterAll(async () => {
	await closeAllStores();
	await database.drop();
});

it('merges the changed nights into ranges of equal values, with bookings taken into account', async () => {
	const hotel = new HotelService(db);
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(10), allotment: 5 });
	await hotel.setInventory({ roomType: 'DBL', from: day(4), to: day(4), stopSell: true });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(10), amount: 12000 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(6), to: day(7), amount: 15000 });
	await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(8), departure: day(10), guest: { name: 'Ada' } });

	const { changes } = await readChanges(db, START);
	const ari = await ariForChanges(db, changes);
	const base = { minLos: null, maxLos: null, closedToArrival: false, closedToDeparture: false };
	expect(ari.availability).toEqual([
		{ roomType: 'DBL', start: day(1), end: day(3), value: { bookingLimit: 5, stopSell: false, ...base } },
		{ roomType: 'DBL', start: day(4), end: day(4), value: { bookingLimit: 5, stopSell: true, ...base } },
		{ roomType: 'DBL', start: day(5), end: day(7), value: { bookingLimit: 5, stopSell: false, ...base } },
		{ roomType: 'DBL', start: day(8), end: day(9), value: { bookingLimit: 4, stopSell: false, ...base } },
		{ roomType: 'DBL', start: day(10), end: day(10), value: { bookingLimit: 5, stopSell: false, ...base } },
	]);
	expect(ari.rates).toEqual([
		{ roomType: 'DBL', ratePlan: 'BAR', start: day(1), end: day(5), value: { amount: 12000, currency: 'eur' } },
		{ roomType: 'DBL', ratePlan: 'BAR', start: day(6), end: day(7), value: { amount: 15000, currency: 'eur' } },
		{ roomType: 'DBL', ratePlan: 'BAR', start: day(8), end: day(10), value: { amount: 12000, currency: 'eur' } },
	]);
});

it('sends nothing for nights that did not change', async () => {
	const { cursor } = await readChanges(db, START);
	await new HotelService(db).setInventory({ roomType: 'STE', from: day(20), to: day(21), allotment: 2 });
	const { changes } = await readChanges(db, cursor);
	const ari = await ariForChanges(db, changes);
	expect(ari.availability.map((r) => [r.roomType, r.start, r.end])).toEqual([['STE', day(20), day(21)]]);
	expect(ari.rates).toEqual([]);
});
