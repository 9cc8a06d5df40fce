/**
 * lib/calendar against the local Google peer, with a real service-account key pair: one event per
 * reservation however often a change is synced, moves, cancellations and restores, stale changes
 * ignored, one token for many calls, Google outages retried, and refusals reported clearly.
 */
import { CalendarClient, probeCalendar } from '../../lib/calendar/client';
import { eventIdFor, type ReservationLike } from '../../lib/calendar/events';
import { calendarConfigFrom, serviceAccountSender } from '../../lib/calendar/serviceAccount';
import { deleteReservationEvent, getReservationEvent, syncReservation } from '../../lib/calendar/sync';
import { HotelError } from '../../lib/errors';
import { PartnerError } from '../../lib/resilience/policy';
import { startGooglePeer, type GooglePeer } from '../peers/googlePeer';
import { BOOKED_DOUBLE_FROM_BOOKING, resetCalendarTestState } from '../support/googleCalendar';
import { generateKeyPairSync } from 'node:crypto';

let peer: GooglePeer;
const CAL = 'hotel@group.calendar.google.com';
const times = { timeZone: 'Europe/Berlin', checkInTime: '15:00', checkOutTime: '11:00' };

beforeAll(async () => {
	peer = await startGooglePeer();
});
afterAll(() => peer.stop());
beforeEach(() => resetCalendarTestState(peer));

const credentials = (over: Record<string, unknown> = {}) => ({ ...peer.credential(CAL), ...over });
const client = (over: Record<string, unknown> = {}) => new CalendarClient(serviceAccountSender(credentials(over)), peer.apiBaseUrl);

const reservation = (over: Partial<ReservationLike> = {}): ReservationLike => ({
	id: 'HB-SYNC-1',
	guest: { name: 'Zoë Müller', email: 'zoe@example.com', phone: null },
	arrival: '2026-07-10',
	departure: '2026-07-12',
	...BOOKED_DOUBLE_FROM_BOOKING,
	...over,
});

const eventsOf = (id: string) => peer.events.filter((e) => e.id === eventIdFor(id));
const calendarWrites = () => peer.requests.filter((r) => r.path.includes('/events') && r.method !== 'GET').length;

it('creates the event once: a rerun of the same change finds it and writes nothing', async () => {
	const c = client();
	const first = await syncReservation(c, CAL, reservation(), 'created', times);
	expect(first).toMatchObject({ eventId: eventIdFor('HB-SYNC-1'), action: 'created', status: 'confirmed', start: '2026-07-10T15:00:00+02:00', end: '2026-07-12T11:00:00+02:00' });
	expect(first.htmlLink).toContain(peer.url);
	const again = await syncReservation(c, CAL, reservation(), 'created', times);
	expect(again).toMatchObject({ eventId: first.eventId, action: 'unchanged' });
	// A second execution (new client, same credential) too.
	expect((await syncReservation(client(), CAL, reservation(), 'created', times)).action).toBe('unchanged');
	expect(eventsOf('HB-SYNC-1')).toHaveLength(1);
	expect(eventsOf('HB-SYNC-1')[0]).toMatchObject({ calendarId: CAL, summary: 'Zoë Müller · HB-SYNC-1 · booking 4711', sequence: 0 });
	expect(calendarWrites()).toBe(3); // one insert, then two inserts answered 409 — no update
});

it('moves the event on a modification, and a repeat of the modification changes nothing', async () => {
	const c = client();
	await syncReservation(c, CAL, reservation(), 'created', times);
	const moved = await syncReservation(c, CAL, reservation({ arrival: '2026-07-11', departure: '2026-07-14', status: 'modified', version: 2 }), 'modified', times);
	expect(moved).toMatchObject({ action: 'updated', start: '2026-07-11T15:00:00+02:00', end: '2026-07-14T11:00:00+02:00' });
	expect((await syncReservation(c, CAL, reservation({ arrival: '2026-07-11', departure: '2026-07-14', version: 2 }), 'modified', times)).action).toBe('unchanged');
	const [event] = eventsOf('HB-SYNC-1');
	expect(eventsOf('HB-SYNC-1')).toHaveLength(1);
	expect(event).toMatchObject({ start: { dateTime: '2026-07-11T15:00:00+02:00', timeZone: 'Europe/Berlin' }, sequence: 1 });
	expect(event.extendedProperties).toEqual({ private: { hotelReservationId: 'HB-SYNC-1', hotelReservationVersion: '2' } });
});

it('creates the event of a modification the calendar never saw', async () => {
	const result = await syncReservation(client(), CAL, reservation({ id: 'HB-LATE', version: 3 }), 'modified', times);
	expect(result.action).toBe('created');
	expect(eventsOf('HB-LATE')).toHaveLength(1);
});

it('cancels the event by status, keeps one event, and restores it when the booking is reinstated', async () => {
	const c = client();
	await syncReservation(c, CAL, reservation(), 'created', times);
	const cancelled = await syncReservation(c, CAL, reservation({ status: 'cancelled', version: 2 }), 'cancelled', times);
	expect(cancelled).toMatchObject({ action: 'cancelled', status: 'cancelled' });
	expect((await syncReservation(c, CAL, reservation({ status: 'cancelled', version: 2 }), 'cancelled', times)).action).toBe('unchanged');
	expect(eventsOf('HB-SYNC-1')).toEqual([expect.objectContaining({ status: 'cancelled' })]);

	// Reinstated: the insert meets the cancelled event's id (409) and an update restores it.
	const restored = await syncReservation(c, CAL, reservation({ status: 'booked', version: 3, departure: '2026-07-13' }), 'created', times);
	expect(restored).toMatchObject({ action: 'updated', status: 'confirmed', end: '2026-07-13T11:00:00+02:00' });
	expect(eventsOf('HB-SYNC-1')).toEqual([expect.objectContaining({ status: 'confirmed' })]);
});

it('does not let an older change delivered late overwrite a newer one', async () => {
	const c = client();
	await syncReservation(c, CAL, reservation({ status: 'cancelled', version: 1 }), 'created', times);
	await syncReservation(c, CAL, reservation({ status: 'cancelled', version: 2 }), 'cancelled', times);
	const late = await syncReservation(c, CAL, reservation({ version: 1 }), 'created', times);
	expect(late).toMatchObject({ action: 'unchanged', status: 'cancelled' });
	expect(late.reason).toMatch(/already shows version 2 of reservation HB-SYNC-1; this change \(version 1\) is older/);
	expect(eventsOf('HB-SYNC-1')[0].status).toBe('cancelled');
});

it('has nothing to cancel for a reservation the calendar never had, and creates nothing', async () => {
	const result = await syncReservation(client(), CAL, reservation({ id: 'HB-NEVER', status: 'cancelled' }), 'cancelled', times);
	expect(result).toMatchObject({ action: 'unchanged', eventId: eventIdFor('HB-NEVER') });
	expect(result.reason).toMatch(/no event for reservation HB-NEVER/);
	expect(peer.events).toHaveLength(0);
});

it('reads and deletes the event of a reservation; deleting twice is harmless', async () => {
	const c = client();
	await syncReservation(c, CAL, reservation(), 'created', times);
	expect(await getReservationEvent(c, CAL, 'HB-SYNC-1')).toMatchObject({ id: eventIdFor('HB-SYNC-1'), status: 'confirmed' });
	expect(await getReservationEvent(c, CAL, 'HB-NONE')).toBeNull();
	expect(await deleteReservationEvent(c, CAL, 'HB-SYNC-1')).toEqual({ eventId: eventIdFor('HB-SYNC-1'), deleted: true });
	expect(await deleteReservationEvent(c, CAL, 'HB-SYNC-1')).toEqual({ eventId: eventIdFor('HB-SYNC-1'), deleted: false });
	expect(await deleteReservationEvent(c, CAL, 'HB-NONE')).toMatchObject({ deleted: false });
});

it('asks for one token for many calls, across clients and concurrent syncs', async () => {
	await Promise.all(Array.from({ length: 12 }, (_, n) => syncReservation(client(), CAL, reservation({ id: `HB-MANY-${n}` }), 'created', times)));
	for (let n = 0; n < 5; n++) await syncReservation(client(), CAL, reservation({ id: `HB-MANY-${n}`, version: 2, departure: '2026-07-15' }), 'modified', times);
	expect(peer.events).toHaveLength(12);
	expect(peer.requests.filter((r) => r.path === '/token')).toHaveLength(1);
});

it('signs a short-lived RS256 assertion for the calendar scope, with the delegated user as sub', async () => {
	peer.assertions.length = 0;
	await probeCalendar(serviceAccountSender(credentials()), peer.apiBaseUrl, CAL);
	await probeCalendar(serviceAccountSender(credentials({ delegatedUser: 'frontdesk@hotel.example' })), peer.apiBaseUrl, CAL);
	const [own, delegated] = peer.assertions;
	expect(own.header).toEqual({ alg: 'RS256', typ: 'JWT' });
	expect(own.claims).toMatchObject({ iss: peer.serviceAccount.email, aud: peer.tokenUrl, scope: 'https://www.googleapis.com/auth/calendar' });
	expect(own.claims.sub).toBeUndefined();
	expect(Number(own.claims.exp) - Number(own.claims.iat)).toBe(3600);
	expect(delegated.claims.sub).toBe('frontdesk@hotel.example');
	// Another account to act as is another token.
	expect(peer.requests.filter((r) => r.path === '/token')).toHaveLength(2);
});

it('gets a new token when Google no longer accepts the cached one', async () => {
	const c = client();
	await syncReservation(c, CAL, reservation(), 'created', times);
	peer.revokeTokens();
	expect((await syncReservation(c, CAL, reservation({ version: 2, departure: '2026-07-13' }), 'modified', times)).action).toBe('updated');
	expect(peer.requests.filter((r) => r.path === '/token')).toHaveLength(2);
});

it('retries Google outages (503), for the token and for the calendar, and succeeds', async () => {
	peer.fail(2); // the token request, then its retry
	const first = await syncReservation(client(), CAL, reservation(), 'created', times);
	expect(first.action).toBe('created');
	peer.fail(2);
	const second = await syncReservation(client(), CAL, reservation({ version: 2, departure: '2026-07-14' }), 'modified', times);
	expect(second.action).toBe('updated');
	expect(peer.requests.filter((r) => r.status === 503)).toHaveLength(4);
	expect(eventsOf('HB-SYNC-1')).toHaveLength(1);
});

it('gives up after the attempts of the policy and says Google is failing', async () => {
	peer.fail(50);
	const error = await syncReservation(client(), CAL, reservation(), 'created', times).catch((e) => e);
	expect(error).toBeInstanceOf(PartnerError);
	expect(error.details.retryable).toBe(true);
	expect(error.message).toMatch(/answered 503/);
	peer.fail(0);
});

it('reports a refusal with Google\'s message, without retrying', async () => {
	const error = await syncReservation(client(), 'unknown@group.calendar.google.com', reservation(), 'created', times).catch((e) => e);
	expect(error).toBeInstanceOf(PartnerError);
	expect(error.details).toMatchObject({ retryable: false, status: 404, code: 'notFound' });
	expect(error.message).toMatch(/Google Calendar refused POST event hotel\w+ \(404 notFound\): Not Found — check the calendar ID/);
	expect(peer.requests.filter((r) => r.status === 404)).toHaveLength(1);

	const badId = await client()
		.insertEvent(CAL, { id: 'hotel-wxyz', start: { date: '2026-01-01' }, end: { date: '2026-01-02' } })
		.catch((e) => e);
	expect(badId.message).toMatch(/\(400 invalid\): Invalid resource id value\./);
});

it('explains a private key that cannot be read, naming the field and never echoing it', async () => {
	const secretish = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-this-is-not-a-key';
	for (const privateKey of [secretish, `-----BEGIN PRIVATE KEY-----\n${secretish}\n-----END PRIVATE KEY-----`, '']) {
		let error: unknown;
		try {
			serviceAccountSender(credentials({ privateKey }));
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(HotelError);
		expect((error as HotelError).field).toBe('privateKey');
		expect((error as HotelError).message).toMatch(/private key (cannot be read|is missing)/);
		expect(JSON.stringify(error) + (error as Error).message + (error as Error).stack).not.toContain('this-is-not-a-key');
	}
	const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
	expect(() => serviceAccountSender(credentials({ privateKey: ec.privateKey }))).toThrow(/not an RSA key/);
});

it('accepts the key as pasted from the JSON key file: escaped line breaks, or the whole file', async () => {
	const escaped = peer.serviceAccount.privateKey.replace(/\n/g, '\\n');
	expect((await syncReservation(client({ privateKey: escaped }), CAL, reservation(), 'created', times)).action).toBe('created');
	const file = JSON.stringify({ type: 'service_account', client_email: peer.serviceAccount.email, private_key: peer.serviceAccount.privateKey });
	expect((await syncReservation(client({ privateKey: file, email: '' }), CAL, reservation(), 'created', times)).action).toBe('unchanged');
});

it('reports a key Google does not know as a refused token, once, with what to check', async () => {
	const other = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
	const error = await syncReservation(client({ privateKey: other.privateKey }), CAL, reservation(), 'created', times).catch((e) => e);
	expect(error).toBeInstanceOf(PartnerError);
	expect(error.details).toMatchObject({ retryable: false, status: 400, code: 'invalid_grant' });
	expect(error.message).toMatch(/Google refused a token for service account hotel-calendar@.*\(400 invalid_grant\): Invalid JWT Signature\. Check the service account e-mail and private key/);
	expect(error.message).not.toContain('PRIVATE KEY');
	expect(peer.requests.filter((r) => r.path === '/token')).toHaveLength(1);
	expect(peer.events).toHaveLength(0);
});

it('refuses plain http:// for anything but this machine, as a token would travel in clear', () => {
	expect(() => client({ tokenUrl: 'http://oauth2.example.com/token' })).toThrow(/tokenUrl|must use https/);
	expect(() => new CalendarClient(async () => ({ status: 200, body: null }), 'http://calendar.example.com/v3')).toThrow(/must use https/);
	expect(calendarConfigFrom({})).toEqual({ apiBaseUrl: 'https://www.googleapis.com/calendar/v3', calendarId: 'primary' });
});

it('probes a calendar cheaply, and says clearly when it cannot read it', async () => {
	const send = serviceAccountSender(credentials());
	await expect(probeCalendar(send, peer.apiBaseUrl, CAL)).resolves.toBeUndefined();
	await expect(probeCalendar(send, peer.apiBaseUrl, 'primary')).resolves.toBeUndefined();
	await expect(probeCalendar(send, peer.apiBaseUrl, 'nope@group.calendar.google.com')).rejects.toThrow(/refused GET calendar "nope@group.calendar.google.com" \(404 notFound\)/);
	expect(peer.requests.map((r) => r.path)).toEqual(['/token', `/calendar/v3/calendars/${encodeURIComponent(CAL)}`, '/calendar/v3/calendars/primary', '/calendar/v3/calendars/nope%40group.calendar.google.com']);
});
