/**
 * The push to one channel, against a small local channel that validates every message against the
 * OpenTravel XSDs: deltas merged into ranges, the profile's limits, mappings, the sync log, and an
 * outage that loses nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HotelService } from '../../lib/booking/hotelService';
import { readSyncLog } from '../../lib/channels/channelClient';
import { ChannelMappings } from '../../lib/channels/mapping';
import { PROFILES } from '../../lib/channels/profiles';
import { pushChanges } from '../../lib/channels/push';
import { buildHotelAvailNotifRS, buildHotelRateAmountNotifRS, parseHotelAvailNotif, parseHotelRateAmountNotif } from '../peers/ota/messages';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { validateOta } from '../support/xsd';
import { day } from '../support/days';

let database: TestDatabase;
let db: Db;
let server: http.Server;
let url: string;
const received: Array<{ root: string; valid: boolean; xml: string }> = [];
let failNext = 0;

beforeAll(async () => {
	database = await createTestDatabase('push');
	db = await getStore(database.config);
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRoomType({ code: 'STE', name: 'Suite (not sold on this channel)' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await new ChannelMappings(db, 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: '1234501' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP77' },
	]);
	server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			if (failNext > 0) {
				failNext--;
				res.writeHead(503).end('busy');
				return;
			}
			const xml = Buffer.concat(chunks).toString('utf8');
			const verdict = validateOta(xml);
			const root = xml.includes('OTA_HotelRateAmountNotifRQ') ? 'OTA_HotelRateAmountNotifRQ' : 'OTA_HotelAvailNotifRQ';
			received.push({ root, valid: verdict.ok, xml });
			const errors = verdict.ok ? [] : ['Invalid message'];
			res.writeHead(200, { 'content-type': 'text/xml' });
			res.end(root === 'OTA_HotelAvailNotifRQ' ? buildHotelAvailNotifRS({ errors }) : buildHotelRateAmountNotifRS({ errors }));
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise((r) => server.close(r));
	await closeAllStores();
	await database.drop();
});
beforeEach(() => {
	received.length = 0;
	resetPartnerPolicies();
});

const connection = () => ({
	channel: 'booking',
	profile: PROFILES.booking,
	baseUrl: url,
	hotelCode: 'HOTEL1',
	username: 'hotel',
	password: 'secret',
	resilience: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 5, breakerThreshold: 50 },
});

it('sends the changed nights as merged ranges, valid against the XSD, rates split by month, unmapped room types left out', async () => {
	const hotel = new HotelService(db);
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(60), allotment: 8 });
	await hotel.setInventory({ roomType: 'STE', from: day(1), to: day(60), allotment: 2 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(60), amount: 11000 });
	const report = await pushChanges(db, connection());
	expect(report).toMatchObject({ status: 'pushed', notMapped: ['room type STE'] });
	expect(received.every((m) => m.valid)).toBe(true);
	const avail = received.filter((m) => m.root === 'OTA_HotelAvailNotifRQ').flatMap((m) => parseHotelAvailNotif(m.xml).updates);
	expect(avail).toEqual([expect.objectContaining({ roomType: '1234501', start: day(1), end: day(60), bookingLimit: 8 })]);
	const rateMessages = received.filter((m) => m.root === 'OTA_HotelRateAmountNotifRQ').map((m) => parseHotelRateAmountNotif(m.xml).rates);
	expect(rateMessages.length).toBeGreaterThanOrEqual(2); // 60 nights span at least two months
	for (const rates of rateMessages) expect(new Set(rates.map((r) => r.start.slice(0, 7))).size).toBe(1);
	expect(rateMessages.flat().every((r) => r.roomType === '1234501' && r.ratePlan === 'RP77' && r.amount === 11000)).toBe(true);
	expect(await pushChanges(db, connection())).toMatchObject({ status: 'nothing to push' });
});

it('loses nothing while the channel is down, and then sends the latest state once', async () => {
	const hotel = new HotelService(db);
	failNext = 100; // the channel is down
	await hotel.setInventory({ roomType: 'DBL', from: day(5), to: day(6), allotment: 3 });
	const down = await pushChanges(db, connection());
	expect(down.status).toBe('failed');
	await hotel.setInventory({ roomType: 'DBL', from: day(5), to: day(6), allotment: 4 }); // changed again meanwhile
	await hotel.create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(6), departure: day(7), guest: { name: 'Ada' } });
	failNext = 0; // back
	const up = await pushChanges(db, connection());
	expect(up.status).toBe('pushed');
	const avail = received.filter((m) => m.root === 'OTA_HotelAvailNotifRQ').flatMap((m) => parseHotelAvailNotif(m.xml).updates);
	expect(avail.map((u) => [u.start, u.end, u.bookingLimit])).toEqual([
		[day(5), day(5), 4],
		[day(6), day(6), 3],
	]);
	const log = await readSyncLog(db, 'booking', 10);
	expect(log.some((e) => e.status === 'failed' && e.attempts === 2 && /503/.test(e.error ?? ''))).toBe(true);
	expect(log[0]).toMatchObject({ status: 'ok', direction: 'push' });
});
