/**
 * The shipped OTA webhook workflow in a real n8n, fed by the local OTA peer pushing reservations
 * (Expedia-style, signed with the webhook secret): each push is stored once and answered with the
 * matching RS and our confirmation number, plain XML or SOAP; redeliveries change nothing; bad
 * signatures and broken XML store nothing and start no execution; a reservation that cannot be
 * taken in (an unmapped room type) is refused to the channel and shown to hotel IT.
 */
import { HotelService } from '../../lib/booking/hotelService';
import { ChannelMappings } from '../../lib/channels/mapping';
import { parseAckResponse } from '../../lib/ota';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput } from '../../scripts/n8nApi';
import { signBody, startOtaPeer, type OtaPeer, type QueuedReservation } from '../peers/otaPeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { createPostgresCredential, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { waitFor, sleep } from '../support/waitFor';
import { day } from '../support/days';
import { corpusFiles, expectStoredAsExpected, mapCorpusRoomTypes } from '../support/corpus';

const SECRET = 'ota_whsec_e2e';
const CHANNEL = 'expedia';
const WEBHOOK_PATH = 'hotel-ota-webhook/reservations';
const TRIGGER = 'OTA Reservations Pushed';
const NEXT = 'Next: push availability to the other channels';

let n8n: N8n;
let peer: OtaPeer;
let database: TestDatabase;
let hotel: HotelService;
let db: Db;
let workflowId: string;

jest.setTimeout(240_000);

const guest = { name: 'Ada Lovelace', email: 'ada@example.com' };

function booking(id: string, overrides: Partial<QueuedReservation> = {}): QueuedReservation {
	return {
		channelReservationId: id,
		version: '1',
		action: 'book',
		roomType: 'R-DBL',
		ratePlan: 'RP-BAR',
		arrival: day(10),
		departure: day(12),
		rooms: 1,
		adults: 2,
		children: 0,
		amount: 20000,
		currency: 'EUR',
		guest,
		card: { brand: 'VI', last4: '1111' },
		...overrides,
	};
}

beforeAll(async () => {
	database = await createTestDatabase('e2e_ota');
	db = await getStore(database.config);
	hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRoomType({ code: 'FAM', name: 'Family room', maxOccupancy: 4 });
	await hotel.setInventory({ roomType: 'FAM', from: day(1), to: day(40), allotment: 2 });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(40), allotment: 5 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(40), amount: 10000 });
	await new ChannelMappings(db, CHANNEL).set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'room_type', hotelCode: 'FAM', channelCode: 'R-FAM' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
	]);
	peer = await startOtaPeer({ profile: 'expedia', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
	n8n = await startN8n();
	const ota = await n8n.api.createCredential({
		name: 'Hotel OTA Channel',
		type: 'hotelOtaChannelApi',
		data: { profile: 'expedia', channel: CHANNEL, baseUrl: peer.url, hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret', webhookSecret: SECRET },
	});
	const postgres = { id: await createPostgresCredential(n8n, database) };
	const file = writeTempWorkflow(usePostgres(shippedWorkflow('ota-webhook.json')));
	({ id: workflowId } = await n8n.api.importWorkflowFile(file, { 'Hotel OTA Channel': ota.id, [POSTGRES_CREDENTIAL_NAME]: postgres.id }));
	await n8n.api.waitForWebhook(WEBHOOK_PATH, 'POST');
});

afterAll(async () => {
	await n8n?.stop();
	await peer?.stop();
	await closeAllStores();
	await database?.drop();
});

const url = () => n8n.webhookUrl(WEBHOOK_PATH);

const stored = async (channelReservationId: string) =>
	(await hotel.book.list({ channel: CHANNEL })).filter((r) => r.channelReservationId === channelReservationId);

/** Finished executions whose trigger emitted this channel reservation. */
async function executionsFor(channelReservationId: string) {
	const all = await n8n.api.listExecutions({ workflowId, includeData: true });
	return all.filter((e) => JSON.stringify(e.data?.resultData.runData[TRIGGER] ?? '').includes(`"channelReservationId":"${channelReservationId}"`));
}

/** A body the channel did not build with our builders, signed like a real push. */
async function postSigned(body: string): Promise<{ status: number; text: string }> {
	const res = await fetch(url(), {
		method: 'POST',
		headers: { 'content-type': 'text/xml; charset=utf-8', 'x-ota-signature': signBody(body, SECRET) },
		body,
	});
	return { status: res.status, text: await res.text() };
}

describe('a channel pushing one reservation through its life', () => {
	let confirmation: string;

	it('stores a new booking once, answers OTA_HotelResNotifRS with our confirmation number, and starts one execution', async () => {
		const pushed = await peer.pushReservation(url(), booking('EXP-1'), { secret: SECRET });
		expect(pushed.status).toBe(200);
		expect(pushed.ack).toMatchObject({ root: 'OTA_HotelResNotifRS', ok: true });
		confirmation = pushed.ack!.reservations[0].confirmationNumber!;
		expect(confirmation).toMatch(/^HB-/);
		// Expedia's shape: SOAP both ways, its id as ResID_Type 8, our confirmation number as ResID_Type 3.
		expect(pushed.body).toContain('Envelope');
		expect(pushed.body).toContain('<HotelReservationID ResID_Type="8" ResID_Value="EXP-1"/>');
		expect(pushed.body).toContain(`<HotelReservationID ResID_Type="3" ResID_Value="${confirmation}"/>`);

		const rows = await stored('EXP-1');
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ id: confirmation, status: 'booked', departure: day(12) });
		// The peer sent the full test card; only brand and last four may ever be kept.
		expect(JSON.stringify(rows)).not.toMatch(/4111111111111111/);

		const [execution] = await waitFor(async () => {
			const found = await executionsFor('EXP-1');
			return found.length > 0 && found.every((e) => e.finished) ? found : undefined;
		});
		expect(execution.status).toBe('success');
		const items = nodeOutput(execution, TRIGGER);
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ channel: CHANNEL, channelReservationId: 'EXP-1', action: 'book', applied: true, reservation: { id: confirmation } });
		expect(nodeOutput(execution, NEXT)).toHaveLength(1);
	});

	it('answers a redelivery with the same confirmation number and stores and starts nothing new', async () => {
		const again = await peer.pushReservation(url(), booking('EXP-1'), { secret: SECRET });
		expect(again.status).toBe(200);
		expect(again.ack?.reservations[0].confirmationNumber).toBe(confirmation);
		expect(await stored('EXP-1')).toHaveLength(1);
		await sleep(1_500);
		expect(await executionsFor('EXP-1')).toHaveLength(1);
	});

	it('stores a modification (OTA_HotelResModifyNotifRQ → RS)', async () => {
		const pushed = await peer.pushReservation(url(), booking('EXP-1', { version: '2', action: 'modify', departure: day(14) }), { secret: SECRET });
		expect(pushed.status).toBe(200);
		expect(pushed.ack).toMatchObject({ root: 'OTA_HotelResModifyNotifRS', ok: true, reservations: [{ confirmationNumber: confirmation }] });
		expect(await stored('EXP-1')).toEqual([expect.objectContaining({ id: confirmation, status: 'modified', departure: day(14) })]);
	});

	it('stores a cancellation pushed in a SOAP envelope and answers OTA_CancelRS in SOAP', async () => {
		const pushed = await peer.pushReservation(url(), booking('EXP-1', { version: '3', action: 'cancel' }), { secret: SECRET, soap: true });
		expect(pushed.status).toBe(200);
		expect(pushed.body).toContain('Envelope');
		expect(pushed.ack).toMatchObject({ root: 'OTA_CancelRS', ok: true, reservations: [{ channelReservationId: 'EXP-1', confirmationNumber: confirmation }] });
		expect(await stored('EXP-1')).toEqual([expect.objectContaining({ id: confirmation, status: 'cancelled' })]);
		const runs = await waitFor(async () => {
			const found = await executionsFor('EXP-1');
			return found.length === 3 && found.every((e) => e.finished) ? found : undefined;
		});
		const actions = runs.map((run) => nodeOutput(run, TRIGGER)[0].action).sort();
		expect(actions).toEqual(['book', 'cancel', 'modify']);
		expect(await hotel.book.soldDrift()).toEqual([]);
	});
});

it('stores a multi-room booking delivered ten times at once exactly once, each room on its own room type', async () => {
	const before = { dbl: await hotel.catalog.nights('DBL', day(20), day(21)), fam: await hotel.catalog.nights('FAM', day(20), day(21)) };
	const room = (index: string, roomType: string, adults: number, children: number, amount: number) => ({
		index,
		status: 'active' as const,
		roomType,
		ratePlan: 'RP-BAR',
		arrival: day(20),
		departure: day(22),
		units: 1,
		adults,
		children,
		childAges: children ? [3] : [],
		nightly: [],
		amount,
		currency: 'EUR',
	});
	const reservation = booking('EXP-MULTI', { roomType: undefined, roomStays: [room('1', 'R-DBL', 2, 0, 20000), room('2', 'R-FAM', 2, 1, 36000)], amount: 56000 });
	const answers = await Promise.all(Array.from({ length: 10 }, () => peer.pushReservation(url(), { ...reservation, version: '7' }, { secret: SECRET })));
	expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
	const confirmations = new Set(answers.map((a) => a.ack?.reservations[0]?.confirmationNumber));
	expect(confirmations.size).toBe(1);
	const [stored1] = await stored('EXP-MULTI');
	expect(stored1.roomStays.map((r) => [r.roomType, r.adults, r.children, r.amount])).toEqual([
		['DBL', 2, 0, 20000],
		['FAM', 2, 1, 36000],
	]);
	expect((await hotel.catalog.nights('DBL', day(20), day(21))).map((n) => n.sold)).toEqual(before.dbl.map((n) => n.sold + 1));
	expect((await hotel.catalog.nights('FAM', day(20), day(21))).map((n) => n.sold)).toEqual(before.fam.map((n) => n.sold + 1));
	await waitFor(async () => ((await executionsFor('EXP-MULTI')).length === 1 ? true : undefined));
	await sleep(1_000);
	expect(await executionsFor('EXP-MULTI')).toHaveLength(1);
	expect(await hotel.book.soldDrift()).toEqual([]);
});

it('answers a bad signature with 401, stores nothing and starts no execution', async () => {
	const plain = await peer.pushReservation(url(), booking('EXP-FORGED'), { secret: 'attacker' });
	expect(plain.status).toBe(401);
	expect(plain.ack?.ok).toBe(false);
	const soap = await peer.pushReservation(url(), booking('EXP-FORGED'), { secret: 'attacker', soap: true });
	expect(soap.status).toBe(401);
	expect(soap.ack?.fault).toBeDefined();
	const unsigned = await peer.pushReservation(url(), booking('EXP-FORGED'));
	expect(unsigned.status).toBe(401);
	await sleep(1_000);
	expect(await stored('EXP-FORGED')).toHaveLength(0);
	expect(await executionsFor('EXP-FORGED')).toHaveLength(0);
});

it('answers malformed XML, a DOCTYPE and a wrong root with 400 and an OTA error that says what is wrong', async () => {
	const before = (await hotel.book.list({ channel: CHANNEL })).length;
	const malformed = await postSigned('<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05"><HotelReservations>');
	expect(malformed.status).toBe(400);
	expect(parseAckResponse(malformed.text).errors[0].message).toMatch(/malformed XML/);

	const doctype = await postSigned('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]><OTA_HotelResNotifRQ>&e;</OTA_HotelResNotifRQ>');
	expect(doctype.status).toBe(400);
	expect(parseAckResponse(doctype.text).errors[0].message).toMatch(/DOCTYPE/);

	const wrongRoot = await postSigned('<OTA_HotelAvailNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05"/>');
	expect(wrongRoot.status).toBe(400);
	expect(parseAckResponse(wrongRoot.text).errors[0].message).toMatch(/got OTA_HotelAvailNotifRQ/);

	const tooLarge = await postSigned(`<OTA_HotelResNotifRQ>${' '.repeat(2 * 1024 * 1024)}</OTA_HotelResNotifRQ>`);
	expect(tooLarge.status).toBe(413);
	expect((await hotel.book.list({ channel: CHANNEL })).length).toBe(before);
});

it('answers 500 when the store itself fails, so the channel retries, and starts no execution', async () => {
	// The idempotency table disappears for a moment: not a bad reservation, an outage.
	await db.query('ALTER TABLE applied_channel_changes RENAME TO applied_channel_changes_offline');
	let pushed;
	try {
		pushed = await peer.pushReservation(url(), booking('EXP-OUTAGE'), { secret: SECRET });
	} finally {
		await db.query('ALTER TABLE applied_channel_changes_offline RENAME TO applied_channel_changes');
	}
	expect(pushed.status).toBe(500);
	expect(pushed.ack?.ok).toBe(false);
	await sleep(1_000);
	expect(await executionsFor('EXP-OUTAGE')).toHaveLength(0);
	// The channel's retry is taken.
	const retried = await peer.pushReservation(url(), booking('EXP-OUTAGE'), { secret: SECRET });
	expect(retried.status).toBe(200);
	expect(await stored('EXP-OUTAGE')).toHaveLength(1);
});

it('answers an unmapped room type with an Errors RS naming it, stores nothing, and shows hotel IT a failed execution and a sync log entry', async () => {
	const pushed = await peer.pushReservation(url(), booking('EXP-UNMAPPED', { roomType: 'R-SUITE' }), { secret: SECRET });
	expect(pushed.status).toBe(200);
	expect(pushed.ack).toMatchObject({ root: 'OTA_HotelResNotifRS', ok: false });
	expect(pushed.ack!.errors[0]).toMatchObject({ recordId: 'EXP-UNMAPPED', message: expect.stringContaining('R-SUITE') });
	expect(await stored('EXP-UNMAPPED')).toHaveLength(0);
	// The trigger's second output names it, and the shipped workflow fails the execution with the reason.
	const [execution] = await waitFor(
		async () => {
			const found = await executionsFor('EXP-UNMAPPED');
			return found.length > 0 && found.every((e) => e.finished || e.status === 'error') ? found : undefined;
		},
		30_000,
		'the execution that names EXP-UNMAPPED',
	);
	expect(execution.status).toBe('error');
	expect(nodeOutput(execution, TRIGGER, 0)).toEqual([]);
	expect(nodeOutput(execution, TRIGGER, 1)).toEqual([
		expect.objectContaining({ channel: CHANNEL, channelReservationId: 'EXP-UNMAPPED', acknowledged: false, error: expect.stringContaining('R-SUITE') }),
	]);
	expect(JSON.stringify(execution.data?.resultData)).toContain('expedia reservation EXP-UNMAPPED was not taken in');
	const [logged] = (await db.query<{ error: string; detail: string; status: string }>("SELECT error, detail, status FROM channel_sync_log WHERE reservation_id = 'EXP-UNMAPPED'")).rows;
	expect(logged).toMatchObject({ status: 'rejected', error: expect.stringContaining('R-SUITE') });
	// The reservation as it came, for hotel IT — without the card the channel sent.
	expect(logged.detail).toMatch(/^<HotelReservation[ >]/);
	expect(logged.detail).toContain('Last4="1111"');
	expect(logged.detail).not.toMatch(/4111111111111111|CardNumber|SeriesCode/);
});


describe('the corpus of channel-published shapes, pushed through the real n8n', () => {
	const PUSHED = new Set(['OTA_HotelResNotifRQ', 'OTA_HotelResModifyNotifRQ', 'OTA_CancelRQ']);
	const files = corpusFiles().filter(({ expected }) => expected.refused !== undefined || PUSHED.has(expected.root!));

	beforeAll(() => mapCorpusRoomTypes(db, hotel, CHANNEL, files));

	it('holds the pushable messages', () => {
		expect(files.length).toBeGreaterThanOrEqual(20);
	});

	it.each(files.map(({ name }) => name))('%s', async (name) => {
		const { xml, expected } = files.find((file) => file.name === name)!;
		const pushed = await postSigned(xml);
		if (expected.refused) {
			expect(pushed.status).toBe(400);
			return;
		}
		expect(pushed.status).toBe(200);
		const ack = parseAckResponse(pushed.text);
		// A failure anywhere makes the whole answer Errors (2015B allows no mix), each naming its reservation.
		if (expected.failures?.length) {
			expect(ack.ok).toBe(false);
			expect(ack.errors.map((e) => e.recordId)).toEqual(expect.arrayContaining(expected.failures.map((f) => f.channelReservationId).filter(Boolean)));
		} else expect(ack.errors).toEqual([]);
		await expectStoredAsExpected(hotel, CHANNEL, expected);
	});
});
