/**
 * The OTA peer, driven over real HTTP (fetch) with our own builders, the way the hotel side talks
 * to a channel: pushes of availability and rates, pulls and acknowledgements of reservations, the
 * three transports, refusals, outages, and pushes to a small local webhook receiver. Every answer
 * the peer gives is checked against the OpenTravel XSDs too. Servers are closed after each test.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import {
	buildCancelRS,
	buildHotelAvailNotifRQ,
	buildHotelRateAmountNotifRQ,
	buildHotelResModifyNotifRS,
	buildHotelResNotifRS,
	buildNotifReportRQ,
	buildReadRQ,
	parseAckResponse,
	parseOtaMessage,
	parseReservations,
	wrapSoap,
	type ChannelReservation,
	type ReservationResult,
} from '../../lib/ota';
import { PROFILES } from '../../lib/channels/profiles';
import { startOtaPeer, type OtaPeer, type OtaPeerOptions, type QueuedReservation } from './otaPeer';
import { passesLuhn, testCardNumber, TEST_CARD_HOLDER, TEST_CVC } from './ota/cardData';
import { soapBodyXml, unwrapSoap } from './ota/messages';
import { validateOta } from '../support/xsd';
import { closeServer, listenOnLoopback } from './localServer';

const HOTEL = 'HTL42';
const USER = 'hotel-user';
const PASSWORD = 'hotel-secret';

const peers: OtaPeer[] = [];
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
	await Promise.all([...peers.splice(0).map((peer) => peer.stop()), ...closers.splice(0).map((close) => close())]);
});

async function start(profile: OtaPeerOptions['profile'], extra: Partial<OtaPeerOptions> = {}): Promise<OtaPeer> {
	const peer = await startOtaPeer({ profile, hotelCode: HOTEL, username: USER, password: PASSWORD, ...extra });
	peers.push(peer);
	return peer;
}

// ---------------------------------------------------------------------------------------------
// The hotel side's HTTP client.
// ---------------------------------------------------------------------------------------------

interface Answer {
	status: number;
	body: string;
}

function basic(username = USER, password = PASSWORD): string {
	return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

async function call(url: string, init: { method?: string; body?: string; auth?: string; timeoutMs?: number } = {}): Promise<Answer> {
	const headers: Record<string, string> = { 'Content-Type': 'text/xml; charset=utf-8' };
	if (init.auth) headers.Authorization = init.auth;
	const response = await fetch(url, {
		method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
		headers,
		body: init.body,
		signal: AbortSignal.timeout(init.timeoutMs ?? 5_000),
	});
	return { status: response.status, body: await response.text() };
}

/** POST plain XML with Basic auth (booking, generic). */
function postXml(peer: OtaPeer, path: string, xml: string, auth = basic()): Promise<Answer> {
	return call(`${peer.url}${path}`, { body: xml, auth });
}

/** POST an OTA message in a SOAP envelope with a UsernameToken (siteminder). */
function postSoap(peer: OtaPeer, xml: string, credentials = { username: USER, password: PASSWORD }): Promise<Answer> {
	return call(`${peer.url}/`, { body: wrapSoap(xml, credentials) });
}

/** The answer must be schema-valid, whatever it says: a channel's answers are. */
function expectValidOta(answer: Answer): void {
	const xml = answer.body.includes('Envelope') ? soapBodyXml(answer.body) : answer.body;
	const verdict = validateOta(xml ?? '');
	expect(verdict.errors).toEqual([]);
}

function ackOf(answer: Answer) {
	expectValidOta(answer);
	return parseAckResponse(answer.body);
}

// ---------------------------------------------------------------------------------------------
// Test data.
// ---------------------------------------------------------------------------------------------

/** Three ranges, End inclusive: 3 + 4 + 3 = 10 nights of DBL. */
const THREE_RANGES = buildHotelAvailNotifRQ(HOTEL, [
	{ roomType: 'DBL', start: '2026-03-01', end: '2026-03-03', bookingLimit: 5 },
	{ roomType: 'DBL', start: '2026-03-04', end: '2026-03-07', bookingLimit: 3, minLos: 2 },
	{ roomType: 'DBL', start: '2026-03-08', end: '2026-03-10', stopSell: true, closedToArrival: true },
]);

/** The reservations the peer sent; it never sends one we cannot read. */
function readReservations(xml: string): ChannelReservation[] {
	const batch = parseReservations(xml);
	expect(batch.failures).toEqual([]);
	return batch.reservations;
}

function dblNights(peer: OtaPeer): string[] {
	return [...peer.view.availability.keys()].filter((key) => key.startsWith('DBL|')).sort();
}

function reservation(id: string, action: ChannelReservation['action'], extra: Partial<QueuedReservation> = {}): QueuedReservation {
	return {
		channelReservationId: id,
		action,
		roomType: 'DBL',
		ratePlan: 'BAR',
		arrival: '2026-07-10',
		departure: '2026-07-12',
		rooms: 1,
		adults: 2,
		children: 0,
		amount: 37000,
		currency: 'EUR',
		guest: { name: 'Ada Lovelace', email: 'ada@example.test' },
		card: { brand: 'VI', last4: '1111' },
		...extra,
	};
}

const success = (ids: string[]): ReservationResult[] => ids.map((id) => ({ channelReservationId: id, ok: true, confirmationNumber: `PMS-${id}` }));
const failure = (id: string, error: string): ReservationResult[] => [{ channelReservationId: id, ok: false, error }];

/** What a parsed reservation must never hold: the full number, the CVC, the expiry, the holder. */
function expectNoCardSecrets(parsed: ChannelReservation[]): void {
	const json = JSON.stringify(parsed);
	expect(json).not.toContain(testCardNumber('VI', '1111'));
	expect(json).not.toContain(TEST_CARD_HOLDER);
	expect(json).not.toMatch(new RegExp(`"${TEST_CVC}"|ExpireDate|SeriesCode`));
}

// ---------------------------------------------------------------------------------------------
// Booking.com style.
// ---------------------------------------------------------------------------------------------

describe('booking profile', () => {
	const paths = PROFILES.booking.paths;

	it('applies every availability range to the view, End inclusive, as deltas', async () => {
		const peer = await start('booking');
		const answer = await postXml(peer, paths.availNotif, THREE_RANGES);
		expect(answer.status).toBe(200);
		expect(ackOf(answer)).toMatchObject({ root: 'OTA_HotelAvailNotifRS', ok: true });
		expect(dblNights(peer)).toHaveLength(10);
		expect(peer.view.availability.get('DBL|2026-03-01')).toEqual({ bookingLimit: 5 });
		expect(peer.view.availability.get('DBL|2026-03-07')).toEqual({ bookingLimit: 3, minLos: 2 });
		expect(peer.view.availability.get('DBL|2026-03-10')).toEqual({ stopSell: true, closedToArrival: true });
		expect(peer.view.availability.has('DBL|2026-03-11')).toBe(false);

		// A delta touches only what it carries: the booking limit of 3 stays.
		await postXml(peer, paths.availNotif, buildHotelAvailNotifRQ(HOTEL, [{ roomType: 'DBL', start: '2026-03-05', end: '2026-03-05', minLos: null }]));
		expect(peer.view.availability.get('DBL|2026-03-05')).toEqual({ bookingLimit: 3, minLos: null });
		expect(peer.requests.map(({ method, path, root, status, valid }) => ({ method, path, root, status, valid }))).toEqual([
			{ method: 'POST', path: paths.availNotif, root: 'OTA_HotelAvailNotifRQ', status: 200, valid: true },
			{ method: 'POST', path: paths.availNotif, root: 'OTA_HotelAvailNotifRQ', status: 200, valid: true },
		]);
	});

	it('stores rates per room, rate plan and night in the currency minor units', async () => {
		const peer = await start('booking');
		const xml = buildHotelRateAmountNotifRQ(HOTEL, [
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-03-01', end: '2026-03-02', amount: 12345, currency: 'EUR' },
			// 99.999 EUR, stated with three decimals: the view keeps cents, rounded (100.00).
			{ roomType: 'DBL', ratePlan: 'NRF', start: '2026-03-31', end: '2026-03-31', amount: 99999, currency: 'EUR', decimals: 3 },
		]);
		expect(ackOf(await postXml(peer, paths.rateNotif, xml)).ok).toBe(true);
		expect(peer.view.rates.get('DBL|BAR|2026-03-01')).toEqual({ amount: 12345, currency: 'EUR' });
		expect(peer.view.rates.get('DBL|BAR|2026-03-02')).toEqual({ amount: 12345, currency: 'EUR' });
		expect(peer.view.rates.get('DBL|NRF|2026-03-31')).toEqual({ amount: 10000, currency: 'EUR' });
		expect(peer.view.rates.size).toBe(3);
	});

	it('refuses a rate range spanning two calendar months, applying nothing of the message', async () => {
		const peer = await start('booking');
		const xml = buildHotelRateAmountNotifRQ(HOTEL, [
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-03-01', end: '2026-03-05', amount: 10000, currency: 'EUR' },
			{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-03-30', end: '2026-04-02', amount: 10000, currency: 'EUR' },
		]);
		const answer = await postXml(peer, paths.rateNotif, xml);
		expect(answer.status).toBe(200); // Booking.com answers errors in the RS, not with the HTTP status
		const ack = ackOf(answer);
		expect(ack.ok).toBe(false);
		expect(ack.errors[0].message).toMatch(/2026-03-30\.\.2026-04-02.*more than one calendar month/);
		expect(peer.view.rates.size).toBe(0);
		expect(peer.requests[0].valid).toBe(true); // a business refusal: the message itself was fine
	});

	it('refuses invalid XML, messages for another hotel and wrong roots with Errors and HTTP 200', async () => {
		const peer = await start('booking');
		const invalid = THREE_RANGES.replace('BookingLimit="5"', 'BookingLimit="five"');
		const refused = await postXml(peer, paths.availNotif, invalid);
		expect(refused.status).toBe(200);
		expect(ackOf(refused).errors[0].message).toMatch(/invalid message: .*BookingLimit/);
		expect(peer.requests[0]).toMatchObject({ valid: false, root: 'OTA_HotelAvailNotifRQ' });
		expect(peer.requests[0].errors?.join('\n')).toMatch(/not a valid value/);

		expect(ackOf(await postXml(peer, paths.availNotif, 'this is not XML')).errors[0].message).toMatch(/not XML/);
		const otherHotel = ackOf(await postXml(peer, paths.availNotif, THREE_RANGES.replace(`HotelCode="${HOTEL}"`, 'HotelCode="OTHER"')));
		expect(otherHotel.errors[0]).toMatchObject({ code: '392', message: 'unknown hotel "OTHER"' });
		const wrongRoot = ackOf(await postXml(peer, paths.availNotif, buildReadRQ(HOTEL)));
		expect(wrongRoot).toMatchObject({ root: 'OTA_HotelAvailNotifRS', ok: false });
		expect(dblNights(peer)).toEqual([]);
	});

	it('accepts what only the XSD refuses when validation is off', async () => {
		const xml = THREE_RANGES.replace('BookingLimitMessageType="SetLimit"', 'BookingLimitMessageType="Whatever"');
		const strict = await start('booking');
		expect(ackOf(await postXml(strict, paths.availNotif, xml)).ok).toBe(false);
		const lenient = await start('booking', { validate: false });
		expect(ackOf(await postXml(lenient, paths.availNotif, xml)).ok).toBe(true);
		expect(dblNights(lenient)).toHaveLength(10);
	});

	it('refuses wrong or missing credentials with 401', async () => {
		const peer = await start('booking');
		const wrong = await postXml(peer, paths.availNotif, THREE_RANGES, basic(USER, 'nope'));
		expect(wrong.status).toBe(401);
		expect((await call(`${peer.url}${paths.pullNew}`)).status).toBe(401);
		expect((await postXml(peer, paths.availNotif, THREE_RANGES, basic('someone', PASSWORD))).status).toBe(401);
		expect(peer.view.availability.size).toBe(0);
		expect((await call(`${peer.url}/nowhere`, { auth: basic() })).status).toBe(404);
	});

	it('delivers new and changed reservations by GET until each is acknowledged', async () => {
		const peer = await start('booking');
		const booked = peer.queueReservation(reservation('R1', 'book'));
		peer.queueReservation(reservation('R2', 'book', { arrival: '2026-08-01', departure: '2026-08-03' }));
		peer.queueReservation(reservation('R2', 'modify', { arrival: '2026-08-01', departure: '2026-08-04' }));
		peer.queueReservation(reservation('R3', 'cancel'));
		expect(booked.version).toBe('1');

		const fresh = await call(`${peer.url}${paths.pullNew}`, { auth: basic() });
		expectValidOta(fresh);
		// The channel sends the full card, as Booking.com does; the parser must keep only brand and last four.
		expect(fresh.body).toContain(testCardNumber('VI', '1111'));
		const news = readReservations(fresh.body);
		expect(news.map((r) => [r.channelReservationId, r.action, r.version])).toEqual([
			['R1', 'book', '1'],
			['R2', 'book', '1'],
		]);
		expect(news[0]).toMatchObject({ hotelCode: HOTEL, arrival: '2026-07-10', amount: 37000, card: { brand: 'VI', last4: '1111' } });
		expectNoCardSecrets(news);

		const changed = await call(`${peer.url}${paths.pullModified}`, { auth: basic() });
		expectValidOta(changed);
		const changes = readReservations(changed.body);
		expect(changes.map((r) => [r.channelReservationId, r.action, r.version])).toEqual([
			['R2', 'modify', '2'],
			['R3', 'cancel', '1'],
		]);
		expectNoCardSecrets(changes);

		// R2's booking is not acknowledged: it comes back on the next GET.
		expect(ackOf(await postXml(peer, paths.pullNew!, buildHotelResNotifRS(success(['R1']), { hotelCode: HOTEL }))).ok).toBe(true);
		expect(readReservations((await call(`${peer.url}${paths.pullNew}`, { auth: basic() })).body).map((r) => r.channelReservationId)).toEqual(['R2']);
		await postXml(peer, paths.pullNew!, buildHotelResNotifRS(success(['R2'])));
		await postXml(peer, paths.pullModified!, buildHotelResModifyNotifRS(success(['R2', 'R3'])));
		// A repeated acknowledgement (the hotel retried) is counted, and harmless.
		await postXml(peer, paths.pullNew!, buildHotelResNotifRS(success(['R1'])));

		const emptyNew = await call(`${peer.url}${paths.pullNew}`, { auth: basic() });
		expectValidOta(emptyNew);
		expect(readReservations(emptyNew.body)).toEqual([]);
		expect(readReservations((await call(`${peer.url}${paths.pullModified}`, { auth: basic() })).body)).toEqual([]);
		expect(Object.fromEntries(peer.acknowledged)).toEqual({ R1: 2, R2: 2, R3: 1 });
		expect(peer.rejected.size).toBe(0);
	});

	it('records error acknowledgements as rejected and stops delivering them', async () => {
		const peer = await start('booking');
		peer.queueReservation(reservation('R9', 'book'));
		await call(`${peer.url}${paths.pullNew}`, { auth: basic() });
		const answer = await postXml(peer, paths.pullNew!, buildHotelResNotifRS(failure('R9', 'room type DBL is not mapped')));
		expect(ackOf(answer).ok).toBe(true);
		expect(peer.rejected.get('R9')).toBe('room type DBL is not mapped');
		expect(readReservations((await call(`${peer.url}${paths.pullNew}`, { auth: basic() })).body)).toEqual([]);
	});

	it('does not settle a change queued after the pull that the acknowledgement could not have seen', async () => {
		const peer = await start('booking');
		peer.queueReservation(reservation('R5', 'modify'));
		await call(`${peer.url}${paths.pullModified}`, { auth: basic() });
		const later = peer.queueReservation(reservation('R5', 'cancel'));
		await postXml(peer, paths.pullModified!, buildHotelResModifyNotifRS(success(['R5'])));
		const next = readReservations((await call(`${peer.url}${paths.pullModified}`, { auth: basic() })).body);
		expect(next.map((r) => [r.action, r.version])).toEqual([['cancel', later.version]]);
		expect(later.version).toBe('2');
	});
});

// ---------------------------------------------------------------------------------------------
// SiteMinder style.
// ---------------------------------------------------------------------------------------------

describe('siteminder profile', () => {
	it('takes availability and rates over SOAP with a UsernameToken and answers in SOAP', async () => {
		const peer = await start('siteminder');
		const avail = await postSoap(peer, THREE_RANGES);
		expect(avail.status).toBe(200);
		expect(unwrapSoap(avail.body).root).toBe('OTA_HotelAvailNotifRS');
		expect(ackOf(avail).ok).toBe(true);
		expect(dblNights(peer)).toHaveLength(10);

		// SiteMinder takes ranges across months.
		const rates = buildHotelRateAmountNotifRQ(HOTEL, [{ roomType: 'DBL', ratePlan: 'BAR', start: '2026-03-30', end: '2026-04-02', amount: 9900, currency: 'EUR' }]);
		expect(ackOf(await postSoap(peer, rates)).ok).toBe(true);
		expect(peer.view.rates.size).toBe(4);
		expect(peer.requests.map((r) => r.root)).toEqual(['OTA_HotelAvailNotifRQ', 'OTA_HotelRateAmountNotifRQ']);
	});

	it('answers wrong credentials and broken envelopes with a SOAP fault and HTTP 500', async () => {
		const peer = await start('siteminder');
		const wrong = await postSoap(peer, THREE_RANGES, { username: USER, password: 'nope' });
		expect(wrong.status).toBe(500);
		expect(parseAckResponse(wrong.body)).toMatchObject({ root: 'Fault', ok: false, fault: { code: 'Client' } });
		expect((await call(`${peer.url}/`, { body: wrapSoap(THREE_RANGES) })).status).toBe(500); // no token at all
		expect((await call(`${peer.url}/`, { body: THREE_RANGES })).status).toBe(500); // not an envelope
		expect(peer.view.availability.size).toBe(0);
	});

	it('refuses an XSD-invalid message with Errors inside SOAP, and a message over 2 MB with 413', async () => {
		const peer = await start('siteminder');
		const invalid = await postSoap(peer, THREE_RANGES.replace('InvTypeCode="DBL"', 'InvTypeCode=""'));
		expect(invalid.status).toBe(200);
		expect(ackOf(invalid).ok).toBe(false);
		expect(peer.requests[0]).toMatchObject({ root: 'OTA_HotelAvailNotifRQ', valid: false });

		const padding = ' '.repeat(PROFILES.siteminder.limits.maxMessageBytes);
		const huge = await call(`${peer.url}/`, { body: wrapSoap(THREE_RANGES, { username: USER, password: PASSWORD }).replace('<SOAP-ENV:Body>', `${padding}<SOAP-ENV:Body>`) });
		expect(huge.status).toBe(413);
		expect(parseAckResponse(huge.body).fault?.message).toMatch(/at most 2000000/);
		expect(peer.view.availability.size).toBe(0);
	});

	it('delivers Book/Modify/Cancel on ReadRQ until each is reported, successes and errors apart', async () => {
		const peer = await start('siteminder');
		peer.queueReservation(reservation('S1', 'book'));
		peer.queueReservation(reservation('S2', 'modify'));
		peer.queueReservation(reservation('S3', 'cancel', { card: undefined }));

		const first = await postSoap(peer, buildReadRQ(HOTEL));
		expectValidOta(first);
		const delivered = readReservations(first.body);
		expect(delivered.map((r) => [r.channelReservationId, r.action])).toEqual([
			['S1', 'book'],
			['S2', 'modify'],
			['S3', 'cancel'],
		]);
		expectNoCardSecrets(delivered);

		const ok = await postSoap(peer, buildNotifReportRQ(success(['S1'])));
		expect(unwrapSoap(ok.body).root).toBe('OTA_NotifReportRS');
		expect(ackOf(ok).ok).toBe(true);
		await postSoap(peer, buildNotifReportRQ(failure('S3', 'unknown rate plan')));

		// S2 was neither acknowledged nor rejected: pmsXchange delivers it again.
		expect(readReservations((await postSoap(peer, buildReadRQ(HOTEL))).body).map((r) => r.channelReservationId)).toEqual(['S2']);
		await postSoap(peer, buildNotifReportRQ(success(['S2'])));
		const empty = await postSoap(peer, buildReadRQ(HOTEL));
		expectValidOta(empty);
		expect(readReservations(empty.body)).toEqual([]);
		expect(Object.fromEntries(peer.acknowledged)).toEqual({ S1: 1, S2: 1 });
		expect(Object.fromEntries(peer.rejected)).toEqual({ S3: 'unknown rate plan' });
	});

	it('refuses a ReadRQ for another hotel and warns about unknown reservations in a report', async () => {
		const peer = await start('siteminder');
		expect(ackOf(await postSoap(peer, buildReadRQ('OTHER'))).errors[0].code).toBe('392');
		const report = ackOf(await postSoap(peer, buildNotifReportRQ(success(['NEVER']))));
		expect(report.ok).toBe(true);
		expect(report.warnings[0]).toMatchObject({ recordId: 'NEVER' });
		expect(peer.acknowledged.size).toBe(0);
	});
});

// ---------------------------------------------------------------------------------------------
// Generic OpenTravel.
// ---------------------------------------------------------------------------------------------

describe('generic profile', () => {
	const paths = PROFILES.generic.paths;

	it('takes plain XML with Basic auth on its own paths, ReadRQ and NotifReport like SiteMinder', async () => {
		const peer = await start('generic');
		expect((await postXml(peer, paths.availNotif, THREE_RANGES, basic('x', 'y'))).status).toBe(401);
		expect(ackOf(await postXml(peer, paths.availNotif, THREE_RANGES)).ok).toBe(true);
		expect(dblNights(peer)).toHaveLength(10);
		// The rate path takes rates only.
		expect(ackOf(await postXml(peer, paths.rateNotif, THREE_RANGES))).toMatchObject({ root: 'OTA_HotelRateAmountNotifRS', ok: false });

		peer.queueReservation(reservation('G1', 'book'));
		peer.queueReservation(reservation('G2', 'cancel'));
		const read = await postXml(peer, paths.read!, buildReadRQ(HOTEL));
		expectValidOta(read);
		expect(read.body).not.toContain('Envelope');
		expect(readReservations(read.body).map((r) => r.channelReservationId)).toEqual(['G1', 'G2']);
		await postXml(peer, paths.notifReport!, buildNotifReportRQ(success(['G1', 'G2'])));
		expect(readReservations((await postXml(peer, paths.read!, buildReadRQ(HOTEL))).body)).toEqual([]);
		expect(Object.fromEntries(peer.acknowledged)).toEqual({ G1: 1, G2: 1 });
		expect((await call(`${peer.url}${paths.read}`, { auth: basic() })).status).toBe(405);
	});
});

// ---------------------------------------------------------------------------------------------
// Outages.
// ---------------------------------------------------------------------------------------------

describe('fault injection', () => {
	const paths = PROFILES.booking.paths;

	it('answers the next n requests with 503, then normally', async () => {
		const peer = await start('booking');
		peer.fail({ kind: '5xx', count: 2 });
		const statuses: number[] = [];
		for (let i = 0; i < 3; i++) statuses.push((await postXml(peer, paths.availNotif, THREE_RANGES)).status);
		expect(statuses).toEqual([503, 503, 200]);
		expect(peer.requests.map((r) => r.status)).toEqual([503, 503, 200]);
	});

	it('fails for a while only (forMs), with the status asked for', async () => {
		const peer = await start('generic');
		peer.fail({ kind: '5xx', forMs: 1_000, status: 502 });
		expect((await postXml(peer, PROFILES.generic.paths.availNotif, THREE_RANGES)).status).toBe(502);
		await new Promise((resolve) => setTimeout(resolve, 1_100));
		expect((await postXml(peer, PROFILES.generic.paths.availNotif, THREE_RANGES)).status).toBe(200);
	});

	it('holds the socket without answering in timeout mode, so the client times out', async () => {
		const peer = await start('booking');
		peer.fail({ kind: 'timeout', count: 1 });
		await expect(call(`${peer.url}${paths.pullNew}`, { auth: basic(), timeoutMs: 150 })).rejects.toThrow(/timeout|aborted/i);
		expect(peer.requests[0]).toMatchObject({ path: paths.pullNew, status: 0 });
		expect((await call(`${peer.url}${paths.pullNew}`, { auth: basic() })).status).toBe(200);
	});

	it('answers late in slow mode', async () => {
		const peer = await start('siteminder');
		peer.fail({ kind: 'slow', delayMs: 150 });
		const began = Date.now();
		expect(ackOf(await postSoap(peer, THREE_RANGES)).ok).toBe(true);
		expect(Date.now() - began).toBeGreaterThanOrEqual(140);
	});

	it('stops while a request is held', async () => {
		const peer = await start('booking');
		peer.fail({ kind: 'timeout', forMs: 10_000 });
		const pending = call(`${peer.url}${paths.pullNew}`, { auth: basic() }).then(
			() => 'answered',
			() => 'connection closed',
		);
		while (peer.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		await peer.stop();
		expect(await pending).toBe('connection closed');
	});
});

// ---------------------------------------------------------------------------------------------
// Pushes to a hotel webhook.
// ---------------------------------------------------------------------------------------------

interface Delivery {
	soap: boolean;
	root: string;
	signed: boolean;
	usernameToken?: { username: string; password: string };
	reservations: ChannelReservation[];
	raw: string;
}

/** A small hotel webhook: checks the signature (when it has a secret), reads the reservation, acknowledges it. */
async function startReceiver(secret?: string): Promise<{ url: string; deliveries: Delivery[] }> {
	const deliveries: Delivery[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			const signed = secret !== undefined && signatureMatches(raw, String(req.headers['x-ota-signature'] ?? ''), secret);
			if (secret !== undefined && !signed) return void res.writeHead(401, { 'Content-Type': 'text/plain' }).end('bad signature');
			const message = parseOtaMessage(raw);
			const reservations = readReservations(raw);
			deliveries.push({ soap: message.soap !== undefined, root: message.root, signed, usernameToken: message.soap?.usernameToken, reservations, raw });
			const answer = acknowledge(message.root, reservations[0]);
			res.writeHead(200, { 'Content-Type': 'text/xml' }).end(message.soap ? wrapSoap(answer) : answer);
		});
	});
	const port = await listenOnLoopback(server);
	closers.push(() => closeServer(server));
	return { url: `http://127.0.0.1:${port}/ota/webhook`, deliveries };
}

function signatureMatches(raw: string, header: string, secret: string): boolean {
	const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(raw, 'utf8').digest('hex')}`);
	const given = Buffer.from(header);
	return given.length === expected.length && timingSafeEqual(given, expected);
}

function acknowledge(root: string, r: ChannelReservation): string {
	if (root === 'OTA_CancelRQ') return buildCancelRS({ channelReservationId: r.channelReservationId, ok: true, cancellationNumber: `CX-${r.channelReservationId}` });
	const build = root === 'OTA_HotelResModifyNotifRQ' ? buildHotelResModifyNotifRS : buildHotelResNotifRS;
	return build(success([r.channelReservationId]), { hotelCode: HOTEL });
}

describe('pushReservation', () => {
	it('pushes a signed plain-XML booking the receiver can verify, and reads its acknowledgement', async () => {
		const peer = await start('booking');
		const receiver = await startReceiver('whsec-ota');
		const pushed = await peer.pushReservation(receiver.url, reservation('P1', 'book'), { secret: 'whsec-ota' });
		expect(pushed.status).toBe(200);
		expect(pushed.ack).toMatchObject({ root: 'OTA_HotelResNotifRS', ok: true, reservations: [{ channelReservationId: 'P1', confirmationNumber: 'PMS-P1' }] });
		const [delivery] = receiver.deliveries;
		expect(delivery).toMatchObject({ soap: false, root: 'OTA_HotelResNotifRQ', signed: true });
		expect(delivery.reservations[0]).toMatchObject({ channelReservationId: 'P1', action: 'book', version: '1', hotelCode: HOTEL });
		expect(validateOta(delivery.raw).errors).toEqual([]);
		expectNoCardSecrets(delivery.reservations);
	});

	it('refused by the receiver when signed with another secret', async () => {
		const peer = await start('booking');
		const receiver = await startReceiver('whsec-ota');
		const pushed = await peer.pushReservation(receiver.url, reservation('P2', 'book'), { secret: 'wrong' });
		expect(pushed.status).toBe(401);
		expect(pushed.ack).toBeUndefined();
		expect(receiver.deliveries).toHaveLength(0);
	});

	it('pushes a modification in SOAP with the UsernameToken, and a cancellation as OTA_CancelRQ', async () => {
		const peer = await start('generic');
		const receiver = await startReceiver();
		const modified = await peer.pushReservation(receiver.url, reservation('P3', 'modify'), { soap: true });
		expect(modified.ack).toMatchObject({ root: 'OTA_HotelResModifyNotifRS', ok: true });
		expect(receiver.deliveries[0]).toMatchObject({ soap: true, root: 'OTA_HotelResModifyNotifRQ', usernameToken: { username: USER, password: PASSWORD } });
		expect(validateOta(soapBodyXml(receiver.deliveries[0].raw) ?? '').errors).toEqual([]);

		const cancelled = await peer.pushReservation(receiver.url, reservation('P3', 'cancel'));
		expect(cancelled.ack).toMatchObject({ root: 'OTA_CancelRS', ok: true, reservations: [{ channelReservationId: 'P3', confirmationNumber: 'CX-P3' }] });
		expect(receiver.deliveries[1]).toMatchObject({ soap: false, root: 'OTA_CancelRQ' });
		expect(receiver.deliveries[1].reservations[0]).toMatchObject({ action: 'cancel', version: '2' });
	});

	it('pushes in SOAP by default on the siteminder profile', async () => {
		const peer = await start('siteminder');
		const receiver = await startReceiver();
		await peer.pushReservation(receiver.url, reservation('P4', 'book'));
		expect(receiver.deliveries[0].soap).toBe(true);
	});
});

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

describe('peer helpers', () => {
	it('makes Luhn-valid public test card numbers ending in the given digits', () => {
		expect(testCardNumber('VI', '1111')).toBe('4111111111111111');
		for (const [brand, last4] of [['MC', '4444'], ['AX', '0005'], ['VI', '4242'], ['XX', '1234']]) {
			const number = testCardNumber(brand, last4);
			expect(number.endsWith(last4)).toBe(true);
			expect(passesLuhn(number)).toBe(true);
		}
	});

	it('copies namespace declarations from the envelope when taking the OTA element out of a SOAP body', () => {
		const raw =
			'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ota="http://www.opentravel.org/OTA/2003/05">' +
			'<s:Body><ota:OTA_ReadRQ Version="1.0"/></s:Body></s:Envelope>';
		expect(soapBodyXml(raw)).toBe(
			'<ota:OTA_ReadRQ xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ota="http://www.opentravel.org/OTA/2003/05" Version="1.0"/>',
		);
	});

	it('refuses to queue a reservation that could not be written', async () => {
		const peer = await start('booking');
		expect(() => peer.queueReservation(reservation('BAD', 'book', { departure: '2026-07-01' }))).toThrow(/departure/);
	});
});
