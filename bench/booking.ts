/**
 * The booking-engine part of the bench: workflows/booking-engine-api.json in the same n8n as the
 * payment part, set up as test/e2e/bookingEngine.test.ts does (credentials "Hotel Booking Engine",
 * "Hotel Redis", "Hotel PostgreSQL"; the workflow switched to PostgreSQL; the catalogue seeded
 * before n8n uses it), plus a copy of it with the cache off.
 *
 *  (c) GET /availability to the workflow as shipped (Use Redis on), a few fixed queries, so the
 *      answers come from the cache once the warm-up has filled it;
 *  (d) the same requests to the copy whose Hotel Reservations nodes have Use Redis off;
 *  (e) POST /reservations to the workflow as shipped, every one a valid booking that is never
 *      sold out (10,000 rooms a night), spread over many nights as real guests would be.
 *
 * Only one Booking Engine Trigger can be active per n8n: n8n registers its full path
 * `reservations/:id` once per instance. So the copy's trigger has a webhook id of its own (its
 * static paths differ) and the two workflows take turns being active: switchTo().
 */
import type http from 'node:http';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { N8n } from '../scripts/n8n';
import type { WorkflowJson } from '../scripts/n8nApi';
import { HotelService } from '../lib/booking/hotelService';
import { signTestToken } from '../test/support/testTokens';
import { addDays, today } from '../lib/inventory/dates';
import { ReservationBook } from '../lib/inventory/reservations';
import { closeAllStores, getStore } from '../lib/store/db';
import { REDIS, createTestDatabase, uniqueRedisPrefix, type TestDatabase } from '../test/support/services';
import { POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../test/support/workflows';
import type { LoadTarget, Shot } from './load';
import { deleteRedisKeys } from './setup';
import { BURST_REQUESTS, BURST_ROOMS, type BurstSetup } from './burst';
import { n8nPid } from './cpu';
import { createHandWiredAvailability } from './handWired/availabilityWorkflow';

const SECRET = 'booking-engine-bench-secret-of-at-least-32-bytes!';
const AUDIENCE = 'hotel-api';
const ISSUER = 'https://id.example-hotel.test';
const BOOKING_CREDENTIAL_NAME = 'Hotel Booking Engine';
const REDIS_CREDENTIAL_NAME = 'Hotel Redis';
/** The shipped trigger's webhook id, and the copy's: its static paths must not collide. */
const CACHED_WEBHOOK_ID = 'hotel-booking-engine';
const UNCACHED_WEBHOOK_ID = 'hotel-booking-engine-nocache';
/** Enough that no booking of the run is ever refused as sold out (≤ ~600 bookings, spread over 60 nights). */
const ALLOTMENT = 10_000;
const SEEDED_DAYS = { from: 1, to: 150 };
const RATE = 11_000;
/** (arrival, departure) in days from today: five stays of 1 to 4 nights, each asked again and again. */
export const AVAILABILITY_STAYS: Array<[number, number]> = [[10, 12], [20, 23], [30, 31], [40, 44], [50, 52]];
/** The burst asks for this one night of BURST_ROOM_TYPE, which has BURST_ROOMS rooms. */
const BURST_NIGHT = 170;
const BURST_ROOM_TYPE = 'STE';
/** Bookings arrive on one of these nights (from day 60 on), for 1 to 3 nights. */
const BOOKING_FIRST_DAY = 60;
const BOOKING_ARRIVAL_SPREAD = 60;
// The token must outlive the whole bench run; the default 5 minutes might not.
const TOKEN_LIFETIME = '1h';

export type BookingKey = 'c' | 'd' | 'e' | 'g';

export interface BookingTarget extends LoadTarget {
	key: BookingKey;
	label: string;
	workflowId: string;
}

export interface BookingSetup {
	c: BookingTarget;
	d: BookingTarget;
	e: BookingTarget;
	/** What hotel IT would wire by hand from n8n's nodes: Webhook (JWT) → IF → Postgres → Respond (bench/handWired/). */
	g: BookingTarget;
	/**
	 * GET /availability to the shipped workflow without a token: the trigger answers 401 itself and
	 * starts no execution. What n8n costs per request before any execution: the floor for (c).
	 */
	refused: LoadTarget;
	database: TestDatabase;
	redisPrefix: string;
	/** The stays asked for by (c) and (d), as dates. */
	stays: Array<{ arrival: string; departure: string }>;
	/** Makes the workflow that serves `key` the active one (e is served by c's); returns the ms it took. */
	switchTo(key: BookingKey): Promise<number>;
	/** Simultaneous bookings for the burst's one night (burst.ts); run after every other booking phase. */
	burst: BurstSetup;
	/** Rows in the reservations table and what ReservationBook.soldDrift() finds (empty when all is well). */
	inspectDatabase(): Promise<{ reservations: number; drift: Awaited<ReturnType<ReservationBook['soldDrift']>> }>;
	/** Drops the database and deletes this run's Redis keys. Call after n8n has stopped. Idempotent, never throws. */
	close(): Promise<void>;
}

const day = (n: number) => addDays(today(), n);

/** The "Hotel Booking Engine" credential's data, for the other parts of the bench that set the workflow up (queue.ts). */
export const BOOKING_CREDENTIAL_DATA = { algorithm: 'HS256', secret: SECRET, publicKeyPem: '', issuer: ISSUER, audience: AUDIENCE, requiredScope: 'reservations' };

/** The Authorization header BOOKING_CREDENTIAL_DATA accepts, valid for the whole run. */
export async function bookingHeaders(): Promise<Record<string, string>> {
	const token = await signTestToken({ sub: 'booking-engine-bench', scope: 'reservations', iss: ISSUER, aud: AUDIENCE }, { alg: 'HS256', secret: SECRET, expiresIn: TOKEN_LIFETIME });
	return { authorization: `Bearer ${token}` };
}

/**
 * Seeds a fresh database, creates the credentials and both workflows (the shipped one active).
 * `track` receives close() before anything can fail, so an interrupt cleans up too.
 */
export async function setUpBooking(n8n: N8n, track: (close: () => Promise<void>) => void): Promise<BookingSetup> {
	const redisPrefix = uniqueRedisPrefix('bench-be');
	let database: TestDatabase | undefined;
	const close = once(async () => {
		await deleteRedisKeys(redisPrefix).catch((e) => console.error(`cleanup: ${(e as Error).message}`));
		await database?.drop().catch((e) => console.error(`cleanup: ${(e as Error).message}`));
	});
	track(close);

	database = await createTestDatabase('bench_be');
	await seedCatalogue(database);
	const ids = await createCredentials(n8n, database, redisPrefix);
	const cachedId = await importCached(n8n, ids);
	const uncachedId = (await n8n.api.createWorkflow(uncachedCopy(ids))).id;
	await n8n.api.waitForWebhook(`${CACHED_WEBHOOK_ID}/availability`, 'GET');
	const handWired = await createHandWiredAvailability(n8n, { database: database.config, jwt: BOOKING_CREDENTIAL_DATA, migrate: false });

	const headers = await bookingHeaders();
	const stays = AVAILABILITY_STAYS.map(([a, d]) => ({ arrival: day(a), departure: day(d) }));
	const availabilityShots = roundRobin(stays.map((s): Shot => ({ method: 'GET', body: '', headers, query: `?arrival=${s.arrival}&departure=${s.departure}&adults=2` })));
	const db = database;

	return {
		database: db,
		redisPrefix,
		stays,
		close,
		c: {
			key: 'c',
			label: 'GET /availability, Use Redis on (as shipped): cache warm',
			workflowId: cachedId,
			url: n8n.webhookUrl(`${CACHED_WEBHOOK_ID}/availability`),
			shots: availabilityShots,
			classify: cacheOf,
		},
		d: {
			key: 'd',
			label: 'GET /availability, Use Redis off (copy of the workflow): every answer from PostgreSQL',
			workflowId: uncachedId,
			url: n8n.webhookUrl(`${UNCACHED_WEBHOOK_ID}/availability`),
			shots: availabilityShots,
			classify: cacheOf,
		},
		e: {
			key: 'e',
			label: 'POST /reservations (as shipped): a new valid booking each, never sold out',
			workflowId: cachedId,
			url: n8n.webhookUrl(`${CACHED_WEBHOOK_ID}/reservations`),
			shots: bookingShots(headers),
			okStatus: 201,
			classify: (body) => String(parse(body).status ?? 'no status'),
		},
		g: {
			key: 'g',
			label: 'GET /availability hand-wired from n8n nodes: Webhook (JWT auth) → IF (issuer, audience, scope) → Postgres (one query) → Respond',
			workflowId: handWired.workflowId,
			url: handWired.url,
			shots: availabilityShots,
			classify: cacheOf,
		},
		refused: {
			url: n8n.webhookUrl(`${CACHED_WEBHOOK_ID}/availability`),
			shots: roundRobin(stays.map((s): Shot => ({ method: 'GET', body: '', headers: {}, query: `?arrival=${s.arrival}&departure=${s.departure}&adults=2` }))),
			okStatus: 401,
		},
		burst: {
			url: n8n.webhookUrl(`${CACHED_WEBHOOK_ID}/reservations`),
			shots: Array.from({ length: BURST_REQUESTS }, (_, i) => ({
				headers,
				body: JSON.stringify({
					roomType: BURST_ROOM_TYPE,
					ratePlan: 'BAR',
					arrival: day(BURST_NIGHT),
					departure: day(BURST_NIGHT + 1),
					adults: 2,
					guest: { name: `Burst Guest ${i}`, email: `burst${i}@example.com` },
				}),
			})),
			inspect: async () => {
				const { drift } = await inspectReservations(db);
				const sql = new Client(db.config);
				await sql.connect();
				try {
					const sold = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM reservations WHERE room_type_code = $1 AND status <> 'cancelled'`, [BURST_ROOM_TYPE]);
					return { roomsSold: Number(sold.rows[0].n), soldDriftNights: drift.length };
				} finally {
					await sql.end();
				}
			},
			n8nPid: n8nPid(n8n.userFolder),
		},
		switchTo: switcher(n8n, { cached: cachedId, uncached: uncachedId }),
		inspectDatabase: () => inspectReservations(db),
	};
}

/** The hotel's catalogue, loaded before n8n first uses the database (as staff would with the node). */
export async function seedCatalogue(database: TestDatabase): Promise<void> {
	try {
		const hotel = new HotelService(await getStore(database.config));
		await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double room', maxOccupancy: 2 });
		await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best available rate', currency: 'EUR' });
		await hotel.setInventory({ roomType: 'DBL', from: day(SEEDED_DAYS.from), to: day(SEEDED_DAYS.to), allotment: ALLOTMENT });
		await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(SEEDED_DAYS.from), to: day(SEEDED_DAYS.to), amount: RATE });
		// The burst's night: a room type of its own with only a few rooms (burst.ts).
		await hotel.catalog.upsertRoomType({ code: BURST_ROOM_TYPE, name: 'Suite (burst)', maxOccupancy: 2 });
		await hotel.setInventory({ roomType: BURST_ROOM_TYPE, from: day(BURST_NIGHT), to: day(BURST_NIGHT), allotment: BURST_ROOMS });
		await hotel.setRates({ roomType: BURST_ROOM_TYPE, ratePlan: 'BAR', from: day(BURST_NIGHT), to: day(BURST_NIGHT), amount: RATE });
	} finally {
		await closeAllStores();
	}
}

/** The three credentials by the names the shipped workflow uses; returns their ids by name. */
async function createCredentials(n8n: N8n, database: TestDatabase, keyPrefix: string): Promise<Record<string, string>> {
	const { config } = database;
	const create = async (name: string, type: string, data: Record<string, unknown>) => (await n8n.api.createCredential({ name, type, data })).id;
	return {
		[BOOKING_CREDENTIAL_NAME]: await create(BOOKING_CREDENTIAL_NAME, 'hotelBookingEngineApi', BOOKING_CREDENTIAL_DATA),
		[REDIS_CREDENTIAL_NAME]: await create(REDIS_CREDENTIAL_NAME, 'hotelRedisApi', {
			host: REDIS.host, port: REDIS.port, username: '', password: '', database: 0, tls: false, keyPrefix,
		}),
		[POSTGRES_CREDENTIAL_NAME]: await create(POSTGRES_CREDENTIAL_NAME, 'hotelPostgresApi', {
			host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '', ssl: false,
		}),
	};
}

/** The workflow exactly as the e2e test imports it: shipped, on PostgreSQL, created and activated. */
async function importCached(n8n: N8n, ids: Record<string, string>): Promise<string> {
	const file = writeTempWorkflow(usePostgres(shippedWorkflow('booking-engine-api.json')));
	try {
		return (await n8n.api.importWorkflowFile(file, ids)).id;
	} finally {
		rmSync(path.dirname(file), { recursive: true, force: true });
	}
}

/**
 * The same workflow with the trigger's cache and Use Redis off in every Hotel Reservations node,
 * and a trigger webhook id of its own. Created inactive: it cannot be active together with the shipped one.
 */
function uncachedCopy(ids: Record<string, string>): WorkflowJson {
	const workflow = usePostgres(shippedWorkflow('booking-engine-api.json'));
	workflow.name = `${workflow.name ?? 'Booking engine API'} (bench: cache off)`;
	for (const node of workflow.nodes) {
		if (node.type.endsWith('.bookingEngineTrigger')) {
			node.webhookId = UNCACHED_WEBHOOK_ID;
			node.parameters = { ...node.parameters, cacheAvailability: false };
			delete node.credentials?.hotelRedisApi;
		}
		if (node.type.endsWith('.hotelReservations')) {
			node.parameters = { ...node.parameters, useRedis: false };
			// Hidden once Use Redis is off; dropped so the copy needs no Redis at all.
			delete node.credentials?.hotelRedisApi;
		}
		// createWorkflow takes credential ids as they are (importWorkflowFile would look them up by name).
		for (const ref of Object.values(node.credentials ?? {})) ref.id = ids[ref.name];
	}
	return workflow;
}

function switcher(n8n: N8n, ids: { cached: string; uncached: string }): (key: BookingKey) => Promise<number> {
	let active: 'cached' | 'uncached' = 'cached';
	const webhookIds = { cached: CACHED_WEBHOOK_ID, uncached: UNCACHED_WEBHOOK_ID };
	return async (key) => {
		const wanted = key === 'd' ? 'uncached' : 'cached';
		if (key === 'g' || wanted === active) return 0; // g's path is its own: either may be active
		const started = Date.now();
		// Off first: the other trigger's reservations/:id would collide with this one's.
		await n8n.api.deactivateWorkflow(ids[active]);
		await n8n.api.activateWorkflow(ids[wanted]);
		await n8n.api.waitForWebhook(`${webhookIds[wanted]}/availability`, 'GET');
		active = wanted;
		return Date.now() - started;
	};
}

/** Each call continues where the last one stopped, so every phase asks each query equally often. */
function roundRobin(shots: Shot[]): (n: number) => Shot[] {
	let next = 0;
	return (n) => Array.from({ length: n }, () => shots[next++ % shots.length]);
}

/** Bookings of 1-3 nights for 2 adults, arrivals spread over 60 nights, each guest named apart. */
export function bookingShots(headers: Record<string, string>): (n: number) => Shot[] {
	let seq = 0;
	return (n) =>
		Array.from({ length: n }, () => {
			const i = seq++;
			const arrival = BOOKING_FIRST_DAY + ((i * 7) % BOOKING_ARRIVAL_SPREAD);
			const body = {
				roomType: 'DBL',
				ratePlan: 'BAR',
				arrival: day(arrival),
				departure: day(arrival + 1 + (i % 3)),
				adults: 2,
				guest: { name: `Bench Guest ${i}`, email: `guest${i}@example.com` },
			};
			return { body: JSON.stringify(body), headers };
		});
}

/**
 * "hit" when the trigger answered from its cache (header x-hotel-cache), else the cache the
 * workflow's answer names ("miss", "off", "unavailable"); an answer without offers is told apart.
 */
function cacheOf(body: string, headers: http.IncomingHttpHeaders = {}): string {
	const answer = parse(body);
	const cache = headers['x-hotel-cache'] === 'hit' ? 'hit' : String(answer.cache ?? 'no cache field');
	return Array.isArray(answer.offers) && answer.offers.length > 0 ? cache : `${cache}, no offers`;
}

function parse(body: string): Record<string, unknown> {
	try {
		return JSON.parse(body) as Record<string, unknown>;
	} catch {
		return {};
	}
}

/** Rows in the reservations table and what ReservationBook.soldDrift() finds (empty when all is well). */
export async function inspectReservations(database: TestDatabase): Promise<{ reservations: number; drift: Awaited<ReturnType<ReservationBook['soldDrift']>> }> {
	const sql = new Client(database.config);
	await sql.connect();
	try {
		const reservations = Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM reservations')).rows[0].n);
		const drift = await new ReservationBook(await getStore(database.config)).soldDrift();
		return { reservations, drift };
	} finally {
		await sql.end();
		await closeAllStores();
	}
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
	let result: Promise<T> | undefined;
	return () => (result ??= fn());
}
