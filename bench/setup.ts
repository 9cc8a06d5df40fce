/**
 * Everything the bench runs against: one real n8n with two active workflows, the Stripe peer that
 * signs events, a fresh PostgreSQL database and (only for the Redis variant) a Redis key prefix.
 *
 *  (a) the shipped payment webhook workflow, set up as in test/e2e/paymentWebhook.test.ts;
 *  (b) a plain Webhook (POST, "When Last Node Finishes") → No Operation workflow.
 *
 * Both answer only after their execution has ended and both answer without a body, so what differs
 * between them is the work our nodes do: signature check, claim, billing update.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ensureHost } from '../scripts/host';
import { startN8n, type N8n } from '../scripts/n8n';
import type { WorkflowJson } from '../scripts/n8nApi';
import { startStripePeer, type StripePeer } from '../test/peers/stripePeer';
import { REDIS, createTestDatabase, type TestDatabase } from '../test/support/services';
import { closeAllStores, getStore } from '../lib/store/db';
import { POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../test/support/workflows';
import type { Shot } from './load';
import { createHandWiredPayment } from './handWired/paymentWorkflow';

const SECRET_KEY = 'sk_test_hotel_bench';
const WEBHOOK_SECRET = 'whsec_hotel_bench';
const PAYMENT_WEBHOOK_PATH = 'hotel-stripe-payments/stripe';
const PLAIN_WEBHOOK_PATH = 'bench-plain-noop';
const REDIS_CREDENTIAL_NAME = 'Hotel Redis';

/**
 * What (a) runs on. The default is what the brief measures (PostgreSQL, claims in the database);
 * the others exist to find where time goes (options.ts).
 */
export interface Variant {
	eventStore: 'database' | 'redis';
	database: 'postgres' | 'embedded';
}

export interface Target {
	key: 'a' | 'b' | 'h';
	label: string;
	workflowId: string;
	url: string;
	/** n fresh requests: every one a new event id and reservation, so none is a duplicate. */
	shots(n: number): Shot[];
}

export interface BenchSetup {
	n8n: N8n;
	n8nVersion: string;
	variant: Variant;
	/** Unique per run; in every event id, reservation id and Redis key of this run. */
	runId: string;
	a: Target;
	b: Target;
	/** What hotel IT would wire by hand from n8n's own nodes (bench/handWired/), on a database of its own. */
	h: Target;
	database: TestDatabase;
	/** A Stripe-Signature header for this body, signed now with the workflow's webhook secret. */
	sign(body: string): string;
	redisPrefix?: string;
	/** Stops n8n and the peer, drops the database, deletes this run's Redis keys. Idempotent, never throws. */
	close(): Promise<void>;
}

/**
 * Starts everything; on a failure half-way, closes what was already started before rethrowing.
 * `track` receives the close function as soon as there is something to close, so an interrupt
 * (Ctrl-C) during the slow n8n start still cleans up. The options are for diagnosis: extra n8n
 * settings (e.g. a CPU profile) and another build of the package (e.g. a prototype checkout); by
 * default n8n runs with the launcher's defaults and this repository's dist/.
 */
export async function setUp(
	variant: Variant,
	track: (close: () => Promise<void>) => void,
	opts: { n8nEnv?: Record<string, string>; packageDir?: string } = {},
): Promise<BenchSetup> {
	const runId = randomBytes(3).toString('hex');
	const redisPrefix = variant.eventStore === 'redis' ? `hotel-bench:${runId}:` : undefined;
	const closers: Array<() => Promise<unknown>> = [];
	const close = once(async () => {
		// Last started, first stopped: n8n holds connections to the database we drop.
		for (const closer of closers.reverse()) await closer().catch((e) => console.error(`cleanup: ${(e as Error).message}`));
	});
	track(close);

	try {
		const database = await createTestDatabase('bench');
		closers.push(() => database.drop());
		if (redisPrefix) closers.push(() => deleteRedisKeys(redisPrefix));
		const peer = await startStripePeer({ secretKey: SECRET_KEY });
		closers.push(() => peer.stop());
		const n8n = await startN8n({ env: opts.n8nEnv, packageDir: opts.packageDir });
		closers.push(() => n8n.stop());

		const aId = await importPaymentWorkflow(n8n, peer, database, variant, redisPrefix);
		const bId = await createPlainWorkflow(n8n);
		const handWiredDatabase = await createTestDatabase('bench_hw');
		closers.splice(1, 0, () => handWiredDatabase.drop()); // dropped after n8n has stopped
		const handWired = await createHandWiredPayment(n8n, { database: handWiredDatabase.config, webhookSecret: WEBHOOK_SECRET });
		await n8n.api.waitForWebhook(PAYMENT_WEBHOOK_PATH, 'POST');
		await n8n.api.waitForWebhook(PLAIN_WEBHOOK_PATH, 'POST');

		const events = eventFactory(runId);
		if (variant.database === 'postgres') {
			// The embedded store lives inside n8n: there, the payments are held as unmatched (BENCH_DATABASE in bench/options.ts).
			await insertEventReservations(database, runId);
			await insertEventReservations(database, runId, 'soak', 25_000);
		}
		const sign = (body: string) => peer.signPayload(body, { secret: WEBHOOK_SECRET });
		return {
			n8n,
			n8nVersion: hostN8nVersion(),
			variant,
			runId,
			database,
			sign,
			redisPrefix,
			close,
			a: {
				key: 'a',
				label: `payment webhook (${variant.database}, claims in ${variant.eventStore})`,
				workflowId: aId,
				url: n8n.webhookUrl(PAYMENT_WEBHOOK_PATH),
				shots: (n) => events(n).map((body) => ({ body, headers: { 'stripe-signature': sign(body) } })),
			},
			h: {
				key: 'h',
				label: 'hand-wired from n8n nodes: Webhook → Extract → Crypto → IF → Postgres claim → IF → Postgres billing → Respond',
				workflowId: handWired.workflowId,
				url: handWired.url,
				shots: (n) => events(n).map((body) => ({ body, headers: { 'stripe-signature': sign(body) } })),
			},
			b: {
				key: 'b',
				label: 'plain Webhook → No Operation',
				workflowId: bId,
				url: n8n.webhookUrl(PLAIN_WEBHOOK_PATH),
				// The same kind of body, unsigned: request size and JSON parsing cost the same in both cases.
				shots: (n) => events(n).map((body) => ({ body, headers: {} })),
			},
		};
	} catch (error) {
		await close();
		throw error;
	}
}

/** Credentials by the names the shipped workflow uses, then the workflow as the e2e test sets it up. */
async function importPaymentWorkflow(n8n: N8n, peer: StripePeer, database: TestDatabase, variant: Variant, redisPrefix?: string): Promise<string> {
	const ids: Record<string, string> = {};
	ids['Hotel Stripe'] = (
		await n8n.api.createCredential({
			name: 'Hotel Stripe',
			type: 'hotelStripeApi',
			data: { secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: peer.url },
		})
	).id;
	let workflow = shippedWorkflow('payment-webhook.json');
	if (variant.database === 'postgres') {
		const { config } = database;
		ids[POSTGRES_CREDENTIAL_NAME] = (
			await n8n.api.createCredential({
				name: POSTGRES_CREDENTIAL_NAME,
				type: 'hotelPostgresApi',
				data: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '', ssl: false },
			})
		).id;
		workflow = usePostgres(workflow);
	}
	if (variant.eventStore === 'redis') {
		ids[REDIS_CREDENTIAL_NAME] = (
			await n8n.api.createCredential({
				name: REDIS_CREDENTIAL_NAME,
				type: 'hotelRedisApi',
				data: { host: REDIS.host, port: REDIS.port, username: '', password: '', database: 0, tls: false, keyPrefix: redisPrefix ?? '' },
			})
		).id;
		workflow = useRedisClaims(workflow);
	}
	const file = writeTempWorkflow(workflow);
	try {
		return (await n8n.api.importWorkflowFile(file, ids)).id;
	} finally {
		rmSync(path.dirname(file), { recursive: true, force: true });
	}
}

/** Switches the trigger's event store to Redis; everything else stays as shipped. */
function useRedisClaims(workflow: WorkflowJson): WorkflowJson {
	for (const node of workflow.nodes) {
		if (node.parameters && 'eventStore' in node.parameters) {
			node.parameters.eventStore = 'redis';
			node.credentials = { ...(node.credentials ?? {}), hotelRedisApi: { name: REDIS_CREDENTIAL_NAME } };
		}
	}
	return workflow;
}

async function createPlainWorkflow(n8n: N8n): Promise<string> {
	const workflow: WorkflowJson = {
		name: 'Bench: Webhook → No Operation',
		nodes: [
			{
				id: 'be7c0000-0000-4000-8000-000000000001',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: 'bench-plain-noop',
				// "No Response Body" like the payment trigger (responseData 'noData'), so neither side
				// pays for serialising a response the other does not send.
				parameters: { httpMethod: 'POST', path: PLAIN_WEBHOOK_PATH, responseMode: 'lastNode', responseData: 'noData', options: {} },
			},
			{
				id: 'be7c0000-0000-4000-8000-000000000002',
				name: 'No Operation',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [240, 0],
				parameters: {},
			},
		],
		connections: { Webhook: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	const { id } = await n8n.api.createWorkflow(workflow);
	await n8n.api.activateWorkflow(id);
	return id;
}

/**
 * Bodies of payment_intent.succeeded events, numbered across the whole run so no id repeats; each
 * for a reservation of its own. `kind` sets the ids apart (evt_<kind>_…, R-<KIND>-…) so a part of
 * the bench can count its own rows.
 */
export function eventFactory(runId: string, kind = 'bench'): (n: number) => string[] {
	let seq = 0;
	return (n) =>
		Array.from({ length: n }, () => {
			const i = ++seq;
			const id = `evt_${kind}_${runId}_${i}`;
			return JSON.stringify({
				id,
				object: 'event',
				type: 'payment_intent.succeeded',
				created: Math.floor(Date.now() / 1000),
				data: {
					object: {
						id: `pi_${kind}_${runId}_${i}`,
						object: 'payment_intent',
						amount: 15000,
						amount_received: 15000,
						currency: 'eur',
						metadata: { reservation_id: `R-${kind.toUpperCase()}-${runId}-${i}` },
					},
				},
			});
		});
}

/**
 * The reservations eventFactory's events pay for, inserted up front (one statement): the ledger holds
 * a payment naming a reservation the store does not have as unmatched, so without them every bench
 * payment would measure the unmatched path. Bare rows: no rooms taken, no events.
 */
export async function insertEventReservations(database: TestDatabase, runId: string, kind = 'bench', count = 100_000, extraIds: string[] = []): Promise<void> {
	try {
		const db = await getStore(database.config); // migrates the store, as n8n's first use would
		await db.query(
			`INSERT INTO reservations (id, channel, status, room_type_code, arrival, departure, rooms, adults, guest_name)
			 SELECT id, 'direct', 'booked', 'DBL', '2031-05-01', '2031-05-03', 1, 2, 'Bench Guest'
			 FROM (SELECT $1 || i AS id FROM generate_series(1, $2::int) AS i UNION ALL SELECT unnest($3::text[])) AS ids
			 ON CONFLICT (id) DO NOTHING`,
			[`R-${kind.toUpperCase()}-${runId}-`, count, extraIds],
		);
	} finally {
		await closeAllStores();
	}
}

export function hostN8nVersion(): string {
	const pkg = path.join(ensureHost().dir, 'node_modules', 'n8n', 'package.json');
	return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** SCAN, not KEYS: the Redis may be shared; only this run's prefix is touched. Bounded by the key count. */
export async function deleteRedisKeys(prefix: string): Promise<void> {
	const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true, maxRetriesPerRequest: 1 });
	try {
		await redis.connect();
		let cursor = '0';
		do {
			const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
			if (keys.length > 0) await redis.del(...keys);
			cursor = nextCursor;
		} while (cursor !== '0');
	} finally {
		redis.disconnect();
	}
}

/** Counts rows the workflow wrote, straight from the hotel database (PostgreSQL variant only). */
export async function countDatabaseRows(database: TestDatabase): Promise<{ claimsDone: number; claimsOther: number; reservationsPaid: number }> {
	const sql = new Client(database.config);
	await sql.connect();
	try {
		const claims = await sql.query<{ done: string; other: string }>(
			"SELECT count(*) FILTER (WHERE status = 'done') AS done, count(*) FILTER (WHERE status <> 'done') AS other FROM processed_events",
		);
		const paid = await sql.query<{ n: string }>("SELECT count(*) AS n FROM reservation_billing WHERE status = 'paid'");
		return { claimsDone: Number(claims.rows[0].done), claimsOther: Number(claims.rows[0].other), reservationsPaid: Number(paid.rows[0].n) };
	} finally {
		await sql.end();
	}
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
	let result: Promise<T> | undefined;
	return () => (result ??= fn());
}
