/**
 * The shipped OTA workflows in a real n8n against the local OTA (Booking.com-style profile): a
 * reservation queued at the OTA reaches the store, is acknowledged once, and the nights it took
 * are pushed back; a change in the store reaches the OTA's view on the next scheduled push.
 */
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput, runManually, type WorkflowJson } from '../../scripts/n8nApi';
import { HotelService } from '../../lib/booking/hotelService';
import { ChannelMappings } from '../../lib/channels/mapping';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { createPostgresCredential, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { waitFor } from '../support/waitFor';
import { day } from '../support/days';

let n8n: N8n;
let peer: OtaPeer;
let database: TestDatabase;
let db: Db;
const ids: Record<string, string> = {};
let pullWorkflowId: string;
let ariPushWorkflowId: string;

jest.setTimeout(300_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_ota');
	db = await getStore(database.config);
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRoomType({ code: 'FAM', name: 'Family room', maxOccupancy: 4 });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(30), allotment: 5 });
	await hotel.setInventory({ roomType: 'FAM', from: day(1), to: day(30), allotment: 2 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(30), amount: 10000 });
	await new ChannelMappings(db, 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'room_type', hotelCode: 'FAM', channelCode: 'R-FAM' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
	]);
	peer = await startOtaPeer({ profile: 'booking', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
	n8n = await startN8n();
	ids['Hotel OTA Channel'] = (await n8n.api.createCredential({
		name: 'Hotel OTA Channel',
		type: 'hotelOtaChannelApi',
		data: { profile: 'booking', channel: 'booking', baseUrl: peer.url, hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret', webhookSecret: '' },
	})).id;
	ids[POSTGRES_CREDENTIAL_NAME] = await createPostgresCredential(n8n, database);
});

afterAll(async () => {
	await n8n?.stop();
	await peer?.stop();
	await closeAllStores();
	await database?.drop();
});

it('pulls a queued reservation into the store once, acknowledges it, and pushes the new availability back', async () => {
	peer.queueReservation({ channelReservationId: 'BDC-9001', action: 'book', roomType: 'R-DBL', ratePlan: 'RP-BAR', arrival: day(10), departure: day(12), rooms: 1, adults: 2, children: 0, amount: 20000, currency: 'EUR', guest: { name: 'Ada Lovelace' } });
	// Activating a polling trigger polls once at once; later polls follow the schedule (every minute).
	const { id } = await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('ota-booking-pull.json'))), ids);
	pullWorkflowId = id;
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

it('takes in a batch with one unreadable reservation: the others stored and acknowledged once, the bad one reported and shown, the next pull not stuck', async () => {
	const guest = { name: 'Zoë Ångström' };
	const hotel = new HotelService(db);
	const before = await hotel.catalog.nights('FAM', day(14), day(15));
	peer.queueReservation({ channelReservationId: 'BDC-9101', action: 'book', roomType: 'R-DBL', ratePlan: 'RP-BAR', arrival: day(14), departure: day(16), adults: 2, amount: 20000, currency: 'EUR', guest });
	// A channel bug: a booking that names no stay at all (no TimeSpan, no nightly rate).
	peer.queueReservation({ channelReservationId: 'BDC-9102', action: 'book', roomType: 'R-DBL', ratePlan: 'RP-BAR', guest });
	// A double and a family room in one booking, dated by their nightly rates only (as Booking.com sends them).
	const room = (index: string, roomType: string, adults: number, children: number, perNight: number) => ({
		index,
		status: 'active' as const,
		roomType,
		ratePlan: 'RP-BAR',
		arrival: day(14),
		departure: day(16),
		units: 1,
		adults,
		children,
		childAges: children ? [5] : [],
		nightly: [
			{ date: day(14), amount: perNight },
			{ date: day(15), amount: perNight },
		],
		amount: 2 * perNight,
		currency: 'EUR',
	});
	peer.queueReservation({ channelReservationId: 'BDC-9103', action: 'book', roomStays: [room('1', 'R-DBL', 2, 0, 10000), room('2', 'R-FAM', 2, 1, 18000)], amount: 56000, currency: 'EUR', guest });

	// The workflow of the first test is active and polls every minute.
	const executions = await n8n.api.waitForExecutions(pullWorkflowId, 2, { timeoutMs: 120_000 });
	const execution = executions.find((e) => JSON.stringify(e.data?.resultData.runData['Pull Reservations'] ?? '').includes('BDC-9102'))!;
	// The shipped workflow fails the execution, naming the reservation: red in the executions list.
	expect(execution.status).toBe('error');
	expect(nodeOutput(execution, 'Pull Reservations', 0).map((item) => item.channelReservationId)).toEqual(['BDC-9101', 'BDC-9103']);
	expect(nodeOutput(execution, 'Pull Reservations', 1)).toEqual([
		expect.objectContaining({ channelReservationId: 'BDC-9102', acknowledged: false, error: expect.stringContaining('no stay dates') }),
	]);
	expect(JSON.stringify(execution.data?.resultData.error ?? '')).toContain('booking reservation BDC-9102 was not taken in');

	const stored = await hotel.book.list({ channel: 'booking' });
	expect(stored.map((r) => r.channelReservationId).sort()).toEqual(['BDC-9001', 'BDC-9101', 'BDC-9103']);
	const multi = stored.find((r) => r.channelReservationId === 'BDC-9103')!;
	expect(multi.roomStays.map((r) => [r.roomType, r.adults, r.children, r.amount])).toEqual([
		['DBL', 2, 0, 20000],
		['FAM', 2, 1, 36000],
	]);
	expect((await hotel.catalog.nights('FAM', day(14), day(15))).map((n) => n.sold)).toEqual(before.map((n) => n.sold + 1));
	expect(await hotel.book.soldDrift()).toEqual([]);
	// Acknowledged once each; the bad one reported to the channel as failed (it falls back to e-mail).
	expect(peer.acknowledged.get('BDC-9101')).toBe(1);
	expect(peer.acknowledged.get('BDC-9103')).toBe(1);
	expect(peer.rejected.get('BDC-9102')).toMatch(/no stay dates/);
	const [logged] = (await db.query<{ error: string; detail: string }>("SELECT error, detail FROM channel_sync_log WHERE reservation_id = 'BDC-9102'")).rows;
	expect(logged.error).toMatch(/no stay dates/);
	expect(logged.detail).toContain('BDC-9102');

	// Not stuck: the next pull brings the next booking.
	peer.queueReservation({ channelReservationId: 'BDC-9104', action: 'book', roomType: 'R-DBL', ratePlan: 'RP-BAR', arrival: day(17), departure: day(18), adults: 1, amount: 10000, currency: 'EUR', guest });
	await waitFor(async () => (await hotel.book.list({ channel: 'booking' })).some((r) => r.channelReservationId === 'BDC-9104'), 120_000);
	// Acknowledged right after it is stored.
	await waitFor(() => peer.acknowledged.get('BDC-9104') === 1, 10_000);
	expect(peer.acknowledged.get('BDC-9101')).toBe(1);
});

it('pushes a change made in the store on the next scheduled push', async () => {
	// Changed before the schedule is active: its first run, at a second n8n picks, must carry it.
	await new HotelService(db).setInventory({ roomType: 'DBL', from: day(20), to: day(22), stopSell: true });
	const { id } = await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('ota-ari-push.json'))), ids);
	ariPushWorkflowId = id;
	await n8n.api.waitForExecutions(id, 1, { timeoutMs: 90_000 }); // the schedule fires within a minute
	await waitFor(() => peer.view.availability.get(`R-DBL|${day(21)}`)?.stopSell === true, 10_000);
	expect(peer.view.availability.get(`R-DBL|${day(23)}`)?.stopSell ?? false).toBe(false);
});

it('finds what the channel lost or was changed in its extranet on the shipped audit, repairs exactly that, and the next audit finds none', async () => {
	const auditNow = async () => {
		const executionId = await runManually(n8n, ariPushWorkflowId, 'Every 6 Hours');
		const execution = await waitFor(async () => {
			const e = await n8n.api.getExecution(executionId, true);
			return e.finished || e.status === 'error' ? e : undefined;
		}, 60_000);
		expect(execution.status).toBe('success');
		return nodeOutput(execution, 'Audit and Repair the Channel', 0)[0] as { drift: number; differences: Array<Record<string, unknown>>; repair: { status: string } };
	};
	// The channel accepts the next availability message and loses it.
	const notifs = () => peer.requests.filter((r) => r.root === 'OTA_HotelAvailNotifRQ').length;
	const before = notifs();
	peer.loseAriUpdates(1);
	await new HotelService(db).setInventory({ roomType: 'DBL', from: day(16), to: day(16), allotment: 3 });
	await waitFor(() => notifs() > before, 90_000, 'the scheduled push to send the change');
	// Someone sets a rate by hand in the extranet.
	peer.view.rates.set(`R-DBL|RP-BAR|${day(15)}`, { amount: 1, currency: 'EUR' });

	const found = await auditNow();
	expect(found.differences).toEqual([
		expect.objectContaining({ night: day(15), roomType: 'DBL', channelRoomType: 'R-DBL', ratePlan: 'BAR', field: 'rate', store: 10000, channel: 1 }),
		expect.objectContaining({ night: day(16), roomType: 'DBL', channelRoomType: 'R-DBL', field: 'roomsLeft', store: 3, channel: 5 }),
	]);
	expect(found).toMatchObject({ drift: 2, repair: { status: 'repaired' } });
	expect(peer.view.rates.get(`R-DBL|RP-BAR|${day(15)}`)).toMatchObject({ amount: 10000 });
	expect(peer.view.availability.get(`R-DBL|${day(16)}`)).toMatchObject({ bookingLimit: 3 });
	expect(await auditNow()).toMatchObject({ drift: 0, differences: [], repair: { status: 'nothing to repair' } });
	expect(peer.requests.every((r) => r.valid)).toBe(true);
});

describe('the OTA Channel node driven on demand (a second channel, with a short breaker pause)', () => {
	let outagePeer: OtaPeer;
	const PAUSE_S = 5; // long enough that the fixed "fewer than without a breaker" bound holds on a slow run

	beforeAll(async () => {
		outagePeer = await startOtaPeer({ profile: 'booking', hotelCode: 'HOTEL2', username: 'hotel2', password: 's3cret2' });
		await new ChannelMappings(db, 'expedia').set([
			{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'X-DBL' },
			{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'X-BAR' },
		]);
		const credential = await n8n.api.createCredential({
			name: 'Second Channel',
			type: 'hotelOtaChannelApi',
			data: { profile: 'booking', channel: 'expedia', baseUrl: outagePeer.url, hotelCode: 'HOTEL2', username: 'hotel2', password: 's3cret2', webhookSecret: '', maxAttempts: 2, breakerThreshold: 2, pauseSeconds: PAUSE_S },
		});
		const { id } = await n8n.api.createWorkflow(onDemandWorkflow(credential.id, ids[POSTGRES_CREDENTIAL_NAME]));
		await n8n.api.activateWorkflow(id);
		await n8n.api.waitForWebhook('ota-push-now', 'POST');
		await n8n.api.waitForWebhook('ota-availability', 'GET');
	});
	afterAll(async () => {
		await outagePeer?.stop();
	});

	const pushNow = () => fetch(n8n.webhookUrl('ota-push-now'), { method: 'POST' }).then(async (r) => ({ status: r.status, body: await r.text() }));

	it('fails executions while the channel is down, pauses calls (no retry storm), and delivers the latest state after', async () => {
		expect((await pushNow()).status).toBe(200);
		expect(outagePeer.view.availability.get(`X-DBL|${day(25)}`)).toMatchObject({ bookingLimit: 5 });

		// Down for as long as the loop runs: every request counted went into a dead channel.
		outagePeer.fail({ kind: '5xx', forMs: 600_000 });
		const before = outagePeer.requests.length;
		const started = Date.now();
		const hotel = new HotelService(db);
		for (let i = 0; i < 8; i++) {
			await hotel.setInventory({ roomType: 'DBL', from: day(24 + (i % 3)), to: day(24 + (i % 3)), allotment: 7 + i });
			expect((await pushNow()).status).toBe(500); // the execution failed: red in the n8n UI
		}
		const intoDeadChannel = outagePeer.requests.length - before;
		const elapsed = Date.now() - started;
		outagePeer.fail({ kind: '5xx', count: 0 }); // back up
		// Without the breaker: 8 pushes × 2 attempts = 16. With it: 2 failed calls open it, then at
		// most one trial call (2 attempts) per pause.
		expect(intoDeadChannel).toBeLessThanOrEqual(2 * 2 + 2 * Math.ceil(elapsed / (PAUSE_S * 1000)));
		expect(intoDeadChannel).toBeLessThan(16);

		await new Promise((r) => setTimeout(r, PAUSE_S * 1000 + 200));
		let answer = await pushNow();
		for (let n = 0; n < 5 && answer.status !== 200; n++) {
			await new Promise((r) => setTimeout(r, PAUSE_S * 500));
			answer = await pushNow();
		}
		expect(answer.status).toBe(200);
		// The latest state of each night that changed during the outage: i = 5, 6, 7 were the last writes.
		expect(outagePeer.view.availability.get(`X-DBL|${day(24)}`)).toMatchObject({ bookingLimit: 7 + 6 });
		expect(outagePeer.view.availability.get(`X-DBL|${day(25)}`)).toMatchObject({ bookingLimit: 7 + 7 });
		expect(outagePeer.view.availability.get(`X-DBL|${day(26)}`)).toMatchObject({ bookingLimit: 7 + 5 });
		expect(outagePeer.requests.every((r) => r.valid)).toBe(true);
	});

	it('queries the channel for availability and answers in the hotel\'s codes', async () => {
		const url = new URL(n8n.webhookUrl('ota-availability'));
		url.search = new URLSearchParams({ arrival: day(2), departure: day(4), adults: '2' }).toString();
		const res = await fetch(url);
		expect(res.status).toBe(200);
		const body = (await res.json()) as { channel: string; offers: Array<Record<string, unknown>> };
		expect(body.channel).toBe('expedia');
		expect(body.offers).toEqual([expect.objectContaining({ roomType: 'DBL', ratePlan: 'BAR', available: 5, totalAmount: 20000, currency: 'EUR', mapped: true })]);
		expect(outagePeer.requests.find((r) => r.root === 'OTA_HotelAvailRQ')).toMatchObject({ valid: true, status: 200 });
	});
});

/** Two webhooks into the OTA Channel node: push now, and query availability from the query string. */
function onDemandWorkflow(channelCredentialId: string, postgresCredentialId: string): WorkflowJson {
	const credentials = {
		hotelOtaChannelApi: { id: channelCredentialId, name: 'Second Channel' },
		hotelPostgresApi: { id: postgresCredentialId, name: POSTGRES_CREDENTIAL_NAME },
	};
	const node = (n: number, name: string, type: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
		id: `0a7a0a7a-0000-4000-8000-00000000000${n}`,
		name,
		type,
		typeVersion: type.endsWith('webhook') ? 2 : 1,
		position: [n * 220, 0] as [number, number],
		parameters,
		...extra,
	});
	return {
		name: 'OTA Channel on demand',
		nodes: [
			node(1, 'Push Now', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path: 'ota-push-now', responseMode: 'lastNode', options: {} }, { webhookId: 'ota-push-now' }),
			node(2, 'Push', 'n8n-nodes-hotel-integrations.otaChannel', { resource: 'ari', operation: 'push', database: 'postgres' }, { credentials }),
			node(3, 'Availability', 'n8n-nodes-base.webhook', { httpMethod: 'GET', path: 'ota-availability', responseMode: 'lastNode', options: {} }, { webhookId: 'ota-availability' }),
			node(4, 'Query', 'n8n-nodes-hotel-integrations.otaChannel', {
				resource: 'ari',
				operation: 'query',
				arrival: '={{ $json.query.arrival }}',
				departure: '={{ $json.query.departure }}',
				adults: '={{ Number($json.query.adults) }}',
				database: 'postgres',
			}, { credentials }),
		],
		connections: {
			'Push Now': { main: [[{ node: 'Push', type: 'main', index: 0 }]] },
			Availability: { main: [[{ node: 'Query', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}
