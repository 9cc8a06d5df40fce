/**
 * The shipped OTA workflows in a real n8n against the local OTA (Booking.com-style profile): a
 * reservation queued at the OTA reaches the store, is acknowledged once, and the nights it took
 * are pushed back; a change in the store reaches the OTA's view on the next scheduled push.
 */
import { startN8n, type N8n } from '../../scripts/n8n';
import { HotelService } from '../../lib/booking/hotelService';
import { ChannelMappings } from '../../lib/channels/mapping';
import { addDays, today } from '../../lib/inventory/dates';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';

const day = (n: number) => addDays(today(), n);
let n8n: N8n;
let peer: OtaPeer;
let database: TestDatabase;
let db: Db;
const ids: Record<string, string> = {};

jest.setTimeout(300_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_ota');
	db = await getStore(database.config);
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(30), allotment: 5 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(30), amount: 10000 });
	await new ChannelMappings(db, 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
	]);
	peer = await startOtaPeer({ profile: 'booking', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
	n8n = await startN8n();
	ids['Hotel OTA Channel'] = (await n8n.api.createCredential({
		name: 'Hotel OTA Channel',
		type: 'hotelOtaChannelApi',
		data: { profile: 'booking', channel: 'booking', baseUrl: peer.url, hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret', webhookSecret: '' },
	})).id;
	const { config } = database;
	ids[POSTGRES_CREDENTIAL_NAME] = (await n8n.api.createCredential({
		name: POSTGRES_CREDENTIAL_NAME,
		type: 'hotelPostgresApi',
		data: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '', ssl: false },
	})).id;
});

afterAll(async () => {
	await n8n?.stop();
	await peer?.stop();
	await closeAllStores();
	await database?.drop();
});

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 500));
	}
}

it('pulls a queued reservation into the store once, acknowledges it, and pushes the new availability back', async () => {
	peer.queueReservation({ channelReservationId: 'BDC-9001', action: 'book', roomType: 'R-DBL', ratePlan: 'RP-BAR', arrival: day(10), departure: day(12), rooms: 1, adults: 2, children: 0, amount: 20000, currency: 'EUR', guest: { name: 'Ada Lovelace' } });
	// Activating a polling trigger polls once at once; later polls follow the schedule (every minute).
	const { id } = await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('ota-booking-pull.json'))), ids);
	const [execution] = await n8n.api.waitForExecutions(id, 1, { timeoutMs: 60_000 });
	expect(execution.status).toBe('success');
	const stored = await new HotelService(db).book.list({ channel: 'booking' });
	expect(stored).toEqual([expect.objectContaining({ channelReservationId: 'BDC-9001', status: 'booked', arrival: day(10) })]);
	expect(peer.acknowledged.get('BDC-9001')).toBe(1);
	await waitFor(() => peer.view.availability.get(`R-DBL|${day(10)}`)?.bookingLimit === 4, 10_000);
	expect(peer.view.availability.get(`R-DBL|${day(12)}`)).toMatchObject({ bookingLimit: 5 });
	expect(peer.view.rates.get(`R-DBL|RP-BAR|${day(10)}`)).toMatchObject({ amount: 10000 });
	expect(peer.requests.every((r) => r.valid)).toBe(true);
});

it('pushes a change made in the store on the next scheduled push', async () => {
	const { id } = await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('ota-ari-push.json'))), ids);
	await new HotelService(db).setInventory({ roomType: 'DBL', from: day(20), to: day(22), stopSell: true });
	await n8n.api.waitForExecutions(id, 1, { timeoutMs: 90_000 }); // the schedule fires within a minute
	await waitFor(() => peer.view.availability.get(`R-DBL|${day(21)}`)?.stopSell === true, 10_000);
	expect(peer.view.availability.get(`R-DBL|${day(23)}`)?.stopSell ?? false).toBe(false);
});
