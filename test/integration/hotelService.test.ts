/**
 * The availability cache is never stale after a change, works without Redis, and reservation
 * changes are broadcast on the hotel's Redis channel.
 */
import Redis from 'ioredis';
import { broadcastChannel, HotelService } from '../../lib/booking/hotelService';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { createTestDatabase, REDIS, uniqueRedisPrefix, type TestDatabase } from '../support/services';
import { waitFor } from '../support/waitFor';
import { day } from '../support/days';

let database: TestDatabase;
let db: Db;
let redis: Redis;
let subscriber: Redis;
const keyPrefix = uniqueRedisPrefix('svc');
const query = { arrival: day(5), departure: day(7), adults: 2 };

beforeAll(async () => {
	database = await createTestDatabase('svc');
	db = await getStore(database.config);
	redis = new Redis({ host: REDIS.host, port: REDIS.port });
	subscriber = new Redis({ host: REDIS.host, port: REDIS.port });
	const setup = new HotelService(db);
	await setup.catalog.upsertRoomType({ code: 'DBL', name: 'Double', maxOccupancy: 2 });
	await setup.catalog.upsertRatePlan({ code: 'BAR', name: 'Best available', currency: 'EUR' });
	await setup.setInventory({ roomType: 'DBL', from: day(1), to: day(30), allotment: 4 });
	await setup.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(30), amount: 10000 });
});
afterAll(async () => {
	redis.disconnect();
	subscriber.disconnect();
	await closeAllStores();
	await database.drop();
});

it('serves a repeated read from the cache and shows one room fewer right after a booking, whoever made it', async () => {
	const hotel = new HotelService(db, { redis, keyPrefix });
	const first = await hotel.availability(query);
	expect(first).toMatchObject({ cache: 'miss', offers: [{ roomType: 'DBL', ratePlan: 'BAR', available: 4, totalAmount: 20000 }] });
	expect((await hotel.availability(query)).cache).toBe('hit');
	await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', ...query, guest: { name: 'Grace Hopper' } });
	const after = await hotel.availability(query);
	expect(after).toMatchObject({ cache: 'miss', offers: [{ available: 3 }] });
	// Another process (another n8n worker) sees the change too: the version lives in Redis.
	const elsewhere = new HotelService(db, { redis, keyPrefix });
	expect((await elsewhere.availability(query)).offers[0].available).toBe(3);
	await hotel.setInventory({ roomType: 'DBL', from: day(5), to: day(6), allotment: 10 });
	expect((await elsewhere.availability(query)).offers[0].available).toBe(9);
	// A change made without Redis at all (another workflow, the OTA pull) still ends the cached answer.
	await new HotelService(db).create({ roomType: 'DBL', ratePlan: 'BAR', ...query, guest: { name: 'No cache here' } });
	expect(await hotel.availability(query)).toMatchObject({ cache: 'miss', offers: [{ available: 8 }] });
});

it('never scans keys: one GET per read (the version comes from the store)', async () => {
	const monitor = new Redis({ host: REDIS.host, port: REDIS.port });
	const commands: string[] = [];
	// monitor() opens a connection of its own; that one must be closed too. It sees the whole Redis
	// server: count only what touched this test's keys (and any scan, whoever sent it).
	const watching = await monitor.monitor();
	watching.on('monitor', (_time: string, args: string[]) => {
		const command = args[0].toLowerCase();
		if (command === 'keys' || command === 'scan' || args[1]?.startsWith(keyPrefix)) commands.push(command);
	});
	const hotel = new HotelService(db, { redis, keyPrefix });
	await hotel.availability({ ...query, adults: 1 });
	await hotel.availability({ ...query, adults: 1 });
	await waitFor(() => commands.filter((c) => c === 'get').length >= 2, 5_000, 'MONITOR to report both reads').catch(() => undefined);
	watching.disconnect();
	monitor.disconnect();
	expect(commands).not.toContain('keys');
	expect(commands).not.toContain('scan');
	expect(commands.filter((c) => c === 'get')).toHaveLength(2);
});

it('works uncached when Redis is down', async () => {
	const dead = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
	dead.on('error', () => undefined);
	const hotel = new HotelService(db, { redis: dead, keyPrefix });
	const result = await hotel.availability(query);
	expect(result.cache).toBe('unavailable');
	expect(result.offers[0].roomType).toBe('DBL');
	const r = await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', ...query, guest: { name: 'No Redis' } });
	expect(r.status).toBe('booked');
	dead.disconnect();
});

it('broadcasts each reservation change on the hotel channel', async () => {
	const received: Array<{ event: string; reservation: { id: string } }> = [];
	await subscriber.subscribe(broadcastChannel(keyPrefix, 'main'));
	subscriber.on('message', (_channel, message) => received.push(JSON.parse(message)));
	const hotel = new HotelService(db, { redis, keyPrefix });
	const r = await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(10), departure: day(11), guest: { name: 'Front Desk' } });
	await hotel.update(r.id, { departure: day(12) });
	await hotel.cancel(r.id);
	await waitFor(() => received.length >= 3, 5_000, 'three broadcasts').catch(() => undefined); // asserted below
	expect(received.map((m) => [m.event, m.reservation.id])).toEqual([
		['reservation.created', r.id],
		['reservation.modified', r.id],
		['reservation.cancelled', r.id],
	]);
});
