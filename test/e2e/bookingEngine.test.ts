/**
 * The shipped booking-engine workflow in a real n8n: every route end to end behind JWT, the
 * availability cache never stale after a booking, clear 4xx answers that start nothing.
 */
import { startN8n, type N8n } from '../../scripts/n8n';
import { HotelService } from '../../lib/booking/hotelService';
import { signTestToken } from '../support/testTokens';
import { closeAllStores, getStore } from '../../lib/store/db';
import { createTestDatabase, REDIS, uniqueRedisPrefix, type TestDatabase } from '../support/services';
import { createPostgresCredential, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { day } from '../support/days';

const SECRET = 'booking-engine-e2e-secret-of-at-least-32-bytes!';
const AUDIENCE = 'hotel-api';
const ISSUER = 'https://id.example-hotel.test';

let n8n: N8n;
let database: TestDatabase;
let workflowId: string;
let token: string;

jest.setTimeout(240_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_be');
	const keyPrefix = uniqueRedisPrefix('e2e-be');
	// The hotel's catalogue, loaded before the API is used (as staff would with the node).
	const setup = new HotelService(await getStore(database.config));
	await setup.catalog.upsertRoomType({ code: 'DBL', name: 'Double room', maxOccupancy: 2 });
	await setup.catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
	await setup.setInventory({ roomType: 'DBL', from: day(1), to: day(90), allotment: 3 });
	await setup.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(90), amount: 11000 });
	await closeAllStores();

	n8n = await startN8n();
	const ids: Record<string, string> = {};
	ids['Hotel Booking Engine'] = (await n8n.api.createCredential({
		name: 'Hotel Booking Engine',
		type: 'hotelBookingEngineApi',
		data: { algorithm: 'HS256', secret: SECRET, publicKeyPem: '', issuer: ISSUER, audience: AUDIENCE, requiredScope: 'reservations' },
	})).id;
	ids['Hotel Redis'] = (await n8n.api.createCredential({
		name: 'Hotel Redis',
		type: 'hotelRedisApi',
		data: { host: REDIS.host, port: REDIS.port, username: '', password: '', database: 0, tls: false, keyPrefix },
	})).id;
	ids[POSTGRES_CREDENTIAL_NAME] = await createPostgresCredential(n8n, database);
	({ id: workflowId } = await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('booking-engine-api.json'))), ids));
	await n8n.api.waitForWebhook('hotel-booking-engine/availability', 'GET');
	token = await signTestToken({ sub: 'booking-engine', scope: 'reservations', iss: ISSUER, aud: AUDIENCE }, { alg: 'HS256', secret: SECRET, expiresIn: '1h' }); // outlives the whole file on a slow run
});

afterAll(async () => {
	await n8n?.stop();
	await database?.drop();
});

async function call(method: string, path: string, opts: { body?: unknown; rawBody?: string; token?: string | null } = {}) {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	const bearer = opts.token === undefined ? token : opts.token;
	if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
	const res = await fetch(n8n.webhookUrl(`hotel-booking-engine/${path}`), {
		method,
		headers,
		body: opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
	});
	const text = await res.text();
	let json: Record<string, any> = {};
	try {
		json = text ? JSON.parse(text) : {};
	} catch {
		json = { text };
	}
	return { status: res.status, json, cache: res.headers.get('x-hotel-cache') };
}

const availability = (a = 10, d = 12) => call('GET', `availability?arrival=${day(a)}&departure=${day(d)}&adults=2`);
const booking = (over: Record<string, unknown> = {}) => ({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(10), departure: day(12), adults: 2, guest: { name: 'Ada Lovelace', email: 'ada@example.com' }, ...over });

it('answers a repeated availability request from the cache, without an execution, and one room fewer right after a booking', async () => {
	const first = await availability();
	expect(first).toMatchObject({ status: 200, cache: 'miss', json: { offers: [{ roomType: 'DBL', ratePlan: 'BAR', available: 3, totalAmount: 22000, currency: 'eur' }] } });
	// The first answer's execution is saved just after it answers: count once it is there.
	const executions = (await n8n.api.waitForExecutions(workflowId, 1, { includeData: false })).length;
	const again = await availability();
	// The same answer, and its body agrees with the header.
	expect(again).toMatchObject({ status: 200, cache: 'hit', json: { ...first.json, cache: 'hit' } });
	await new Promise((r) => setTimeout(r, 500));
	expect(await n8n.api.countSettledExecutions(workflowId)).toBe(executions);
	const created = await call('POST', 'reservations', { body: booking() });
	expect(created).toMatchObject({ status: 201, json: { status: 'booked', amount: 22000, guest: { name: 'Ada Lovelace' } } });
	const after = await availability();
	expect(after).toMatchObject({ cache: 'miss', json: { offers: [{ available: 2 }] } });
	expect((await availability()).cache).toBe('hit');
});

it('reads, changes and cancels a reservation', async () => {
	const { json: created } = await call('POST', 'reservations', { body: booking({ arrival: day(20), departure: day(21), guest: { name: "Zoë O'Brien 😀" } }) });
	const got = await call('GET', `reservations/${created.id}`);
	expect(got).toMatchObject({ status: 200, json: { id: created.id, guest: { name: "Zoë O'Brien 😀" } } });
	const changed = await call('PUT', `reservations/${created.id}`, { body: { departure: day(23) } });
	expect(changed).toMatchObject({ status: 200, json: { status: 'modified', departure: day(23), amount: 33000 } });
	const cancelled = await call('DELETE', `reservations/${created.id}`);
	expect(cancelled).toMatchObject({ status: 200, json: { status: 'cancelled' } });
});

it('books two rooms in one reservation (roomStays), each taking its night, and names a bad room', async () => {
	const before = (await availability(40, 41)).json.offers as Array<{ available: number }>;
	const body = {
		arrival: day(40),
		departure: day(41),
		roomStays: [
			{ roomType: 'DBL', ratePlan: 'BAR', adults: 2, guestName: 'Zoë Ångström' },
			{ roomType: 'DBL', ratePlan: 'BAR', adults: 1, children: 1, childAges: [6] },
		],
		guest: { name: 'Zoë Ångström', email: 'zoe@example.com' },
	};
	const created = await call('POST', 'reservations', { body });
	expect(created).toMatchObject({ status: 201, json: { rooms: 2, adults: 3, children: 1, amount: 22000 } });
	expect((created.json.roomStays as unknown[]).length).toBe(2);
	expect(((await availability(40, 41)).json.offers as Array<{ available: number }>)[0].available).toBe(before[0].available - 2);
	expect(await call('POST', 'reservations', { body: { ...body, roomStays: [{ ratePlan: 'BAR' }] } })).toMatchObject({ status: 422, json: { field: 'roomStays[0].roomType' } });
	expect(await call('POST', 'reservations', { body: { ...body, roomStays: [] } })).toMatchObject({ status: 422, json: { field: 'roomStays' } });
	expect(await call('DELETE', `reservations/${created.json.id}`)).toMatchObject({ status: 200, json: { status: 'cancelled' } });
});

it('answers 409 when sold out, 404 for an unknown id, 422 naming the field', async () => {
	for (let i = 0; i < 3; i++) expect((await call('POST', 'reservations', { body: booking({ arrival: day(30), departure: day(31) }) })).status).toBe(201);
	expect((await availability(30, 31)).json.offers).toEqual([]);
	expect(await call('POST', 'reservations', { body: booking({ arrival: day(30), departure: day(31) }) })).toMatchObject({ status: 409, json: { code: 'sold_out' } });
	expect(await call('GET', 'reservations/HB-DOESNOTEXIST')).toMatchObject({ status: 404, json: { code: 'not_found' } });
	expect(await call('POST', 'reservations', { body: booking({ guest: { name: '' } }) })).toMatchObject({ status: 422, json: { field: 'guest.name' } });
	expect(await call('POST', 'reservations', { body: booking({ arrival: day(-3), departure: day(1) }) })).toMatchObject({ status: 422, json: { field: 'arrival' } });
	expect(await call('POST', 'reservations', { body: booking({ roomType: 'PENTHOUSE' }) })).toMatchObject({ status: 404, json: { field: 'roomType' } });
	expect(await call('POST', 'reservations', { body: booking({ adults: 'two' }) })).toMatchObject({ status: 422, json: { field: 'adults' } });
	expect(await call('GET', `availability?arrival=${day(5)}`)).toMatchObject({ status: 422, json: { field: 'departure' } });
});

it('a burst of 40 simultaneous bookings for a night with 3 rooms: 3 booked, the rest told sold out, most without an execution', async () => {
	const before = await n8n.api.countSettledExecutions(workflowId);
	const answers = await Promise.all(
		Array.from({ length: 40 }, (_, i) => call('POST', 'reservations', { body: booking({ arrival: day(70), departure: day(71), guest: { name: `Burst Guest ${i}` } }) })),
	);
	// Sold out (409, with the reason) or, if a turn never came, busy (503): never anything else.
	const expected = (a: (typeof answers)[number]) =>
		a.status === 201 || a.status === 503 || (a.status === 409 && a.json.code === 'sold_out' && /no room/.test(String(a.json.error)));
	const unexpected = answers.filter((a) => !expected(a)).map((a) => ({ status: a.status, json: a.json }));
	expect({ booked: answers.filter((a) => a.status === 201).length, unexpected }).toEqual({ booked: 3, unexpected: [] });
	// Four at a time (the trigger's default turns): once the rooms are gone, a booking is refused
	// before the workflow. An execution starts only for a booking that found a room at its turn:
	// at most rooms + 3 (the three other turns may take the last rooms meanwhile).
	await new Promise((r) => setTimeout(r, 1_000));
	const executions = (await n8n.api.countSettledExecutions(workflowId)) - before;
	expect(executions).toBeGreaterThanOrEqual(3);
	expect(executions).toBeLessThanOrEqual(3 + 3);
	expect((await availability(70, 71)).json.offers).toEqual([]);
});

it('refuses hostile bodies with 4xx and starts nothing', async () => {
	const before = await n8n.api.countSettledExecutions(workflowId);
	expect((await call('POST', 'reservations', { body: [booking()] })).status).toBe(400);
	// Not JSON: n8n's own parser answers 422 before the trigger, and (NODE_ENV=production) tells no stack or path.
	const notJson = await call('POST', 'reservations', { rawBody: '{"roomType": "DBL", ' });
	expect(notJson.status).toBe(422);
	expect(notJson.json).not.toHaveProperty('stacktrace');
	expect(JSON.stringify(notJson.json)).not.toMatch(/node_modules|\/root\/|at [A-Za-z]+ \(/);
	// Dates the store would refuse are refused before the workflow, naming the field.
	expect(await call('POST', 'reservations', { body: booking({ arrival: '2031-02-30' }) })).toMatchObject({ status: 422, json: { field: 'arrival' } });
	expect(await call('POST', 'reservations', { body: booking({ arrival: day(12), departure: day(10) }) })).toMatchObject({ status: 422, json: { field: 'departure' } });
	expect(await call('GET', `availability?arrival=${day(-2)}&departure=${day(1)}`)).toMatchObject({ status: 422, json: { field: 'arrival' } });
	expect((await call('POST', 'reservations', { body: booking({ note: 'x'.repeat(100 * 1024) }) })).status).toBe(413);
	await new Promise((r) => setTimeout(r, 500));
	expect(await n8n.api.countSettledExecutions(workflowId)).toBe(before);
});

describe('tokens', () => {
	const refusedWith = async (status: number, bearer: string | null, code: string) => {
		const before = await n8n.api.countSettledExecutions(workflowId);
		const res = await call('GET', `availability?arrival=${day(10)}&departure=${day(11)}`, { token: bearer });
		expect(res.status).toBe(status);
		// Every refusal has the API's one error shape; the code says why.
		expect(res.json).toEqual({ error: expect.any(String), code, field: null });
		expect(JSON.stringify(res.json)).not.toContain(SECRET);
		expect(await n8n.api.countSettledExecutions(workflowId)).toBe(before);
	};
	const claims = { sub: 'x', scope: 'reservations', iss: ISSUER, aud: AUDIENCE };

	it('missing → 401', () => refusedWith(401, null, 'missing_token'));
	it('forged (another secret) → 401', async () => refusedWith(401, await signTestToken(claims, { alg: 'HS256', secret: 'an-attackers-secret-that-is-also-32-bytes-long' }), 'bad_signature'));
	it('expired → 401', async () => refusedWith(401, await signTestToken(claims, { alg: 'HS256', secret: SECRET, expiresIn: -120 }), 'expired'));
	it('wrong audience → 401', async () => refusedWith(401, await signTestToken({ ...claims, aud: 'someone-else' }, { alg: 'HS256', secret: SECRET }), 'wrong_audience'));
	it('alg none → 401', async () => {
		const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
		await refusedWith(401, `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: Math.floor(Date.now() / 1000) + 300 })}.`, 'algorithm_not_allowed');
	});
	it('wrong scope → 403', async () => refusedWith(403, await signTestToken({ ...claims, scope: 'profile' }, { alg: 'HS256', secret: SECRET }), 'insufficient_scope'));
});
