/**
 * The Hotel Calendar node on its own: a fake n8n context, the local Google peer. Service account
 * and OAuth2 (n8n's httpRequestWithAuthentication stood in for by a small fake that behaves like
 * it: adds the bearer token, throws a NodeApiError on a non-2xx answer), the output per item,
 * errors naming the field, Continue On Fail, the credential Test, and no private key in any log.
 */
import { NodeApiError, NodeOperationError, type ICredentialTestFunctions, type IDataObject } from 'n8n-workflow';
import { eventIdFor } from '../../lib/calendar/events';
import { DEFAULT_ACTION_EXPRESSION, DEFAULT_RESERVATION_EXPRESSION } from '../../nodes/HotelCalendar/actions';
import { HotelCalendar } from '../../nodes/HotelCalendar/HotelCalendar.node';
import { fakeExecuteContext, type FakeRun } from '../support/fakeExecuteContext';
import { fakeOAuth2Request } from '../support/fakeOAuth2';
import { startGooglePeer, type GooglePeer } from '../peers/googlePeer';
import { BOOKED_DOUBLE_FROM_BOOKING, resetCalendarTestState } from '../support/googleCalendar';

let peer: GooglePeer;
const CAL = 'hotel@group.calendar.google.com';

beforeAll(async () => {
	peer = await startGooglePeer();
});
afterAll(() => peer.stop());
beforeEach(() => resetCalendarTestState(peer));

const serviceAccount = (over: Record<string, string> = {}) => ({ ...peer.credential(CAL), ...over });

const reservation = (over: IDataObject = {}): IDataObject => ({
	id: 'HB-NODE-1',
	guest: { name: '<b>Zoë</b> 李', email: 'zoe@example.com', phone: null },
	arrival: '2026-03-28',
	departure: '2026-03-30',
	...BOOKED_DOUBLE_FROM_BOOKING,
	...over,
});

interface RunOptions extends Partial<FakeRun> {
	/** The input items' JSON (the fake context's default is `{}` per item). */
	inputs?: IDataObject[];
	credentials?: FakeRun['credentials'];
	oauth2?: boolean;
}

/** The fake context plus what this node needs beyond it: the workflow time zone, input JSON and (for OAuth2) the auth helper. */
function run(params: Record<string, unknown>, opts: RunOptions = {}) {
	const items = opts.items ?? [{}];
	const { ctx, logs } = fakeExecuteContext({
		node: {
			type: 'n8n-nodes-hotel-integrations.hotelCalendar',
			parameters: { authentication: opts.oauth2 ? 'oAuth2' : 'serviceAccount', resource: 'event', calendarId: CAL, timeZone: '', checkInTime: '15:00', checkOutTime: '11:00', ...params },
		},
		items,
		continueOnFail: opts.continueOnFail,
		credentials: opts.credentials ?? {
			hotelGoogleServiceAccountApi: serviceAccount(),
			hotelGoogleCalendarOAuth2Api: { apiBaseUrl: peer.apiBaseUrl, clientId: 'client', clientSecret: 'secret', oauthTokenData: {} },
		},
	});
	const fn = ctx as unknown as Record<string, unknown>;
	fn.getTimezone = () => 'Europe/Berlin';
	if (opts.inputs) fn.getInputData = () => opts.inputs!.map((json) => ({ json }));
	fn.helpers = { httpRequestWithAuthentication: fakeOAuth2Request('hotelGoogleCalendarOAuth2Api', () => oauthToken.value) };
	return { ctx, logs };
}


/** The access token n8n would hold for the OAuth2 credential. */
const oauthToken = { value: '' };

const sync = (over: Record<string, unknown> = {}) => ({ operation: 'syncReservation', reservation: reservation(), action: 'book', ...over });

describe('Sync Reservation with a service account', () => {
	it('creates the event and outputs what a workflow needs; a rerun leaves the one event as it is', async () => {
		const [[item]] = await new HotelCalendar().execute.call(run(sync()).ctx);
		expect(item.json).toMatchObject({
			reservationId: 'HB-NODE-1',
			calendarId: CAL,
			change: 'created',
			eventId: eventIdFor('HB-NODE-1'),
			action: 'created',
			status: 'confirmed',
			// The workflow's zone (Europe/Berlin); the stay spans the spring-forward night.
			start: '2026-03-28T15:00:00+01:00',
			end: '2026-03-30T11:00:00+02:00',
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		const [[again]] = await new HotelCalendar().execute.call(run(sync()).ctx);
		expect(again.json.action).toBe('unchanged');
		expect(peer.events).toHaveLength(1);
		expect(peer.events[0].summary).toBe('<b>Zoë</b> 李 · HB-NODE-1 · booking 4711');
	});

	it("takes the time zone and times from the Hotel Details credential when told to, whatever the workflow's zone", async () => {
		const credentials = {
			hotelGoogleServiceAccountApi: serviceAccount(),
			hotelDetailsApi: { hotelName: 'Hotel Example', timeZone: 'Asia/Tokyo', checkInTime: '14:00', checkOutTime: '10:00' },
		};
		const [[item]] = await new HotelCalendar().execute.call(run(sync({ reservation: reservation({ id: 'HB-NODE-TZ' }), hotelDetails: 'credential', checkInTime: '15:00' }), { credentials }).ctx);
		expect(item.json).toMatchObject({ start: '2026-03-28T14:00:00+09:00', end: '2026-03-30T10:00:00+09:00' });
	});

	it('reads the reservation and the action from the input item when left at their defaults', async () => {
		const inputs = [
			{ action: 'book', reservation: reservation({ id: 'HB-IN-1' }) },
			// A Hotel Reservations change item: the reservation itself, no action → from its status.
			reservation({ id: 'HB-IN-2', status: 'booked' }),
			{ action: 'cancel', reservation: reservation({ id: 'HB-IN-1', status: 'cancelled', version: 2 }) },
		];
		const { ctx } = run({ operation: 'syncReservation', reservation: DEFAULT_RESERVATION_EXPRESSION, action: DEFAULT_ACTION_EXPRESSION, timeZone: 'America/New_York' }, { items: [{}, {}, {}], inputs });
		const [items] = await new HotelCalendar().execute.call(ctx);
		expect(items.map((i) => [i.json.reservationId, i.json.change, i.json.action])).toEqual([
			['HB-IN-1', 'created', 'created'],
			['HB-IN-2', 'created', 'created'],
			['HB-IN-1', 'cancelled', 'cancelled'],
		]);
		expect(items[1].json.start).toBe('2026-03-28T15:00:00-04:00');
		expect(peer.requests.filter((r) => r.path === '/token')).toHaveLength(1);
	});

	it('moves the event on a modification and cancels it on a cancellation', async () => {
		await new HotelCalendar().execute.call(run(sync()).ctx);
		const [[moved]] = await new HotelCalendar().execute.call(
			run(sync({ action: 'modified', reservation: reservation({ version: 2, arrival: '2026-04-01', departure: '2026-04-03' }), checkInTime: '14:00' })).ctx,
		);
		expect(moved.json).toMatchObject({ action: 'updated', start: '2026-04-01T14:00:00+02:00', end: '2026-04-03T11:00:00+02:00' });
		const [[cancelled]] = await new HotelCalendar().execute.call(run(sync({ action: 'cancelled', reservation: reservation({ version: 3, status: 'cancelled' }) })).ctx);
		expect(cancelled.json).toMatchObject({ action: 'cancelled', status: 'cancelled' });
		expect(peer.events).toEqual([expect.objectContaining({ status: 'cancelled', extendedProperties: { private: { hotelReservationId: 'HB-NODE-1', hotelReservationVersion: '3' } } })]);
	});

	it('stops at bad input with a NodeOperationError naming the field, and logs no private key', async () => {
		const { ctx, logs } = run(sync({ timeZone: 'Mars/Olympus_Mons' }));
		const error = await new HotelCalendar().execute.call(ctx).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/"Mars\/Olympus_Mons" is not an IANA time zone/);
		expect(error.description).toBe('Field: timeZone');
		expect(peer.events).toHaveLength(0);
		expect(logs.join('\n')).toContain('Hotel Calendar operation failed');
		expect(logs.join('\n')).not.toContain('PRIVATE KEY');
	});

	it('with Continue On Fail, reports each bad item and goes on with the next one', async () => {
		const { ctx } = run(
			{ operation: 'syncReservation' },
			{
				continueOnFail: true,
				items: [
					{ reservation: reservation({ id: 'HB-OK-1' }), action: 'book' },
					{ reservation: reservation({ id: 'HB-BAD' }), action: 'book', checkOutTime: '11h' },
					{ reservation: reservation({ id: 'HB-BAD-2' }), action: 'archive' },
					{ reservation: '{"id": ', action: 'book' },
					{ reservation: reservation({ id: 'HB-OK-2' }), action: 'book' },
				],
			},
		);
		const [items] = await new HotelCalendar().execute.call(ctx);
		expect(items.map((i) => i.json.action ?? null)).toEqual(['created', null, null, null, 'created']);
		expect(items[1].json).toMatchObject({ error: expect.stringMatching(/Check-out time "11h"/), details: { field: 'checkOutTime', statusCode: 422 } });
		expect(items[2].json).toMatchObject({ error: expect.stringMatching(/Action "archive"/), details: { field: 'action' } });
		expect(items[3].json).toMatchObject({ details: { field: 'reservation' } });
		expect(items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(peer.events).toHaveLength(2);
	});

	it('turns an unreadable private key into a clear error that never shows the key', async () => {
		const bad = serviceAccount({ privateKey: '-----BEGIN PRIVATE KEY-----\nS3CR3T-K3Y-MATERIAL\n-----END PRIVATE KEY-----' });
		const { ctx, logs } = run(sync(), { credentials: { hotelGoogleServiceAccountApi: bad }, continueOnFail: true });
		const [[item]] = await new HotelCalendar().execute.call(ctx);
		expect(item.json.error).toMatch(/private key cannot be read as a PEM private key/);
		expect(item.json.details).toMatchObject({ field: 'privateKey' });
		expect(JSON.stringify(item.json) + logs.join('\n')).not.toContain('S3CR3T');
	});

	it('reports a calendar the account cannot see with Google\'s reason', async () => {
		const { ctx } = run(sync({ calendarId: 'other@group.calendar.google.com' }));
		const error = await new HotelCalendar().execute.call(ctx).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/\(404 notFound\): Not Found — check the calendar ID/);
		expect(error.httpCode).toBe('404');
	});
});

describe('Get and Delete', () => {
	it('gets the event of a reservation, or says there is none, and deletes it', async () => {
		await new HotelCalendar().execute.call(run(sync()).ctx);
		const [[got]] = await new HotelCalendar().execute.call(run({ operation: 'get', reservationId: 'HB-NODE-1' }).ctx);
		expect(got.json).toMatchObject({ reservationId: 'HB-NODE-1', eventId: eventIdFor('HB-NODE-1'), found: true, event: { status: 'confirmed', summary: expect.stringContaining('HB-NODE-1') } });
		const [[none]] = await new HotelCalendar().execute.call(run({ operation: 'get', reservationId: 'HB-NONE' }).ctx);
		expect(none.json).toMatchObject({ found: false, event: null });
		const [[deleted]] = await new HotelCalendar().execute.call(run({ operation: 'delete', reservationId: 'HB-NODE-1' }).ctx);
		expect(deleted.json).toMatchObject({ reservationId: 'HB-NODE-1', calendarId: CAL, deleted: true });
		const [[again]] = await new HotelCalendar().execute.call(run({ operation: 'delete', reservationId: 'HB-NODE-1' }).ctx);
		expect(again.json.deleted).toBe(false);
		const error = await new HotelCalendar().execute.call(run({ operation: 'get', reservationId: ' ' }).ctx).catch((e) => e);
		expect(error.description).toBe('Field: reservationId');
	});
});

describe('OAuth2 through n8n\'s request helper', () => {
	beforeEach(() => {
		oauthToken.value = peer.issueToken();
	});

	it('syncs with the token n8n adds, retries an outage, and writes one event', async () => {
		peer.fail(1);
		const [[item]] = await new HotelCalendar().execute.call(run(sync(), { oauth2: true }).ctx);
		expect(item.json).toMatchObject({ action: 'created', eventId: eventIdFor('HB-NODE-1') });
		const [[again]] = await new HotelCalendar().execute.call(run(sync(), { oauth2: true }).ctx);
		expect(again.json.action).toBe('unchanged'); // the 409 came back as an answer, not an error
		expect(peer.events).toHaveLength(1);
		expect(peer.requests.some((r) => r.path === '/token')).toBe(false);
	});

	it('shows Google\'s message for a refusal (here: a token Google does not accept)', async () => {
		oauthToken.value = 'ya29.revoked';
		const error = await new HotelCalendar().execute.call(run(sync(), { oauth2: true }).ctx).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/\(401 authError\): Request had invalid authentication credentials.*reconnect it/);
	});
});

describe('the credential Test of the service account', () => {
	const test = (data: Record<string, unknown>) =>
		new HotelCalendar().methods.credentialTest.hotelGoogleServiceAccountTest.call({} as ICredentialTestFunctions, {
			id: 'cred-1',
			name: 'Hotel calendar',
			type: 'hotelGoogleServiceAccountApi',
			data,
		} as never);

	it('passes with a working key and calendar, always with a fresh token', async () => {
		expect(await test(serviceAccount())).toEqual({ status: 'OK', message: `Connected: the service account obtained a token and can read calendar "${CAL}".` });
		expect(await test(serviceAccount())).toMatchObject({ status: 'OK' });
		expect(peer.requests.filter((r) => r.path === '/token')).toHaveLength(2);
	});

	it('fails with the reason: unreadable key, unknown key, unknown calendar, Google down', async () => {
		const unreadable = await test(serviceAccount({ privateKey: 'hunter2-not-a-key' }));
		expect(unreadable.status).toBe('Error');
		expect(unreadable.message).toMatch(/private key cannot be read/);
		expect(unreadable.message).not.toContain('hunter2');

		const otherEmail = await test(serviceAccount({ email: 'someone-else@x.iam.gserviceaccount.com' }));
		expect(otherEmail).toMatchObject({ status: 'Error', message: expect.stringMatching(/invalid_grant\): Invalid JWT Signature/) });

		const calendar = await test(serviceAccount({ calendarId: 'missing@group.calendar.google.com' }));
		expect(calendar).toMatchObject({ status: 'Error', message: expect.stringMatching(/calendar "missing@group.calendar.google.com" \(404 notFound\)/) });

		peer.fail(20);
		const down = await test(serviceAccount());
		expect(down).toMatchObject({ status: 'Error', message: expect.stringMatching(/503/) });
		peer.fail(0);
	});
});
