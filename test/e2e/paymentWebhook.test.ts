/**
 * The shipped payment workflow in a real n8n, fed by the local Stripe peer: signed events start
 * exactly one execution on the right output and change the billing status; duplicates, races and
 * bad signatures start nothing; a failed processing is processed again on redelivery.
 */
import Stripe from 'stripe';
import { Client } from 'pg';
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput } from '../../scripts/n8nApi';
import { startStripePeer, type StripePeer } from '../peers/stripePeer';
import { pressCredentialTest } from '../support/credentialTest';
import { closeTestDatabase, createTestDatabase, REDIS, uniqueRedisPrefix, type TestDatabase } from '../support/services';
import { insertBareReservations, readBilling } from '../support/reservationRows';
import { getStore } from '../../lib/store/db';
import { createPostgresCredential, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { waitFor, sleep } from '../support/waitFor';

const SECRET_KEY = 'sk_test_hotel_e2e';
const WEBHOOK_SECRET = 'whsec_hotel_e2e';
const WEBHOOK_PATH = 'hotel-stripe-payments/stripe';
// The same shipped workflow, switched to Redis as its event store, on a second webhook path.
const REDIS_WEBHOOK_PATH = 'hotel-stripe-payments-redis/stripe';

let n8n: N8n;
let peer: StripePeer;
let database: TestDatabase;
let sql: Client;
let workflowId: string;
let redisWorkflowId: string;
const credentialIds: Record<string, string> = {};

jest.setTimeout(240_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_pay');
	sql = new Client(database.config);
	await sql.connect();
	// The reservations these payments are for (one of the concurrency tests per event store).
	await insertBareReservations(await getStore(database.config), ['R-E2E-1', 'R-E2E-FORGED', 'R-E2E-RETRY', 'R-E2E-CONC-18', 'R-E2E-CONC-5']);
	peer = await startStripePeer({ secretKey: SECRET_KEY });
	n8n = await startN8n();
	const stripe = await n8n.api.createCredential({
		name: 'Hotel Stripe',
		type: 'hotelStripeApi',
		data: { secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: peer.url },
	});
	const postgres = { id: await createPostgresCredential(n8n, database) };
	const redis = await n8n.api.createCredential({
		name: 'Hotel Redis',
		type: 'hotelRedisApi',
		data: { host: REDIS.host, port: REDIS.port, username: '', password: '', database: 0, tls: false, keyPrefix: uniqueRedisPrefix('e2e') },
	});
	Object.assign(credentialIds, { 'Hotel Stripe': stripe.id, [POSTGRES_CREDENTIAL_NAME]: postgres.id, 'Hotel Redis': redis.id });
	const file = writeTempWorkflow(usePostgres(shippedWorkflow('payment-webhook.json')));
	({ id: workflowId } = await n8n.api.importWorkflowFile(file, credentialIds));
	const redisVariant = usePostgres(shippedWorkflow('payment-webhook.json'));
	redisVariant.name = `${redisVariant.name} (Redis event store)`;
	const trigger = redisVariant.nodes.find((n) => n.name === 'Stripe Payment Events')!;
	trigger.webhookId = 'hotel-stripe-payments-redis';
	trigger.parameters = { ...trigger.parameters, eventStore: 'redis' };
	trigger.credentials = { ...trigger.credentials, hotelRedisApi: { name: 'Hotel Redis' } };
	({ id: redisWorkflowId } = await n8n.api.importWorkflowFile(writeTempWorkflow(redisVariant), credentialIds));
	await n8n.api.waitForWebhook(WEBHOOK_PATH, 'POST');
	await n8n.api.waitForWebhook(REDIS_WEBHOOK_PATH, 'POST');
	peer.setWebhook(n8n.webhookUrl(WEBHOOK_PATH), WEBHOOK_SECRET);
});

afterAll(async () => {
	await n8n?.stop();
	await peer?.stop();
	await closeTestDatabase(database, sql);
});

const billing = (reservationId: string) => readBilling(sql, reservationId);

function signedEvent(id: string, reservationId: string, type = 'payment_intent.succeeded') {
	const body = JSON.stringify({
		id,
		object: 'event',
		type,
		created: Math.floor(Date.now() / 1000),
		data: { object: { id: `pi_${id}`, object: 'payment_intent', amount: 15000, amount_received: 15000, currency: 'eur', metadata: { reservation_id: reservationId } } },
	});
	return { body, header: () => peer.signPayload(body, { secret: WEBHOOK_SECRET }) };
}

async function deliver(body: string, header: string, webhookPath = WEBHOOK_PATH): Promise<number> {
	const res = await fetch(n8n.webhookUrl(webhookPath), {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'stripe-signature': header },
		body,
	});
	await res.arrayBuffer();
	return res.status;
}

/**
 * A redelivery right after an answer: the trigger settles the event's claim (done, or released after
 * a failure) once its answer has gone out, so a redelivery in that moment meets the claim still in
 * progress and gets 409, which Stripe retries. Retried here the same way, for up to 5 s.
 */
async function redeliver(body: string, header: string, webhookPath = WEBHOOK_PATH): Promise<number> {
	const deadline = Date.now() + 5_000;
	let status = await deliver(body, header, webhookPath);
	while (status === 409 && Date.now() < deadline) {
		await sleep(200);
		status = await deliver(body, header, webhookPath);
	}
	return status;
}

/** Executions of our workflow whose trigger emitted this event id. */
async function executionsFor(eventId: string, ofWorkflow = workflowId) {
	const all = await n8n.api.listExecutions({ workflowId: ofWorkflow, includeData: true });
	return all.filter((e) => JSON.stringify(e.data?.resultData.runData['Stripe Payment Events'] ?? '').includes(`"${eventId}"`));
}

it('turns a Stripe payment into one execution on "Payment Succeeded" and marks the reservation paid', async () => {
	const stripe = new Stripe(SECRET_KEY, { host: '127.0.0.1', port: peer.port, protocol: 'http', maxNetworkRetries: 0 });
	const pi = await stripe.paymentIntents.create({ amount: 24000, currency: 'eur', metadata: { reservation_id: 'R-E2E-1' } });
	await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
	const succeeded = await waitFor(() => peer.events.find((e) => e.type === 'payment_intent.succeeded' && e.data.object.id === pi.id));

	const [execution] = await waitFor(async () => {
		const found = await executionsFor(succeeded.id);
		return found.length > 0 && found.every((e) => e.finished) ? found : undefined;
	});
	expect(execution.status).toBe('success');
	expect(nodeOutput(execution, 'Stripe Payment Events', 0)).toHaveLength(1);
	expect(nodeOutput(execution, 'Stripe Payment Events', 1)).toHaveLength(0);
	expect(nodeOutput(execution, 'Mark Reservation Paid', 0)[0]).toMatchObject({ applied: true, billing: { status: 'paid' } });
	expect(await billing('R-E2E-1')).toMatchObject({ status: 'paid', amount_paid: 24000 });
	// The payment_intent.created event went to "Other Event" and changed nothing.
	const created = peer.events.find((e) => e.type === 'payment_intent.created' && e.data.object.id === pi.id)!;
	const [other] = await waitFor(async () => ((await executionsFor(created.id)).length ? executionsFor(created.id) : undefined));
	expect(nodeOutput(other, 'Stripe Payment Events', 3)).toHaveLength(1);
});

describe.each([
	['the hotel database', () => ({ path: WEBHOOK_PATH, workflow: workflowId })],
	['Redis', () => ({ path: REDIS_WEBHOOK_PATH, workflow: redisWorkflowId })],
])('with events remembered in %s', (store, variant) => {
	it('starts exactly one execution for 20 concurrent deliveries of one event', async () => {
		const { path, workflow } = variant();
		const eventId = `evt_e2e_concurrent_${store.length}`;
		const reservation = `R-E2E-CONC-${store.length}`;
		const event = signedEvent(eventId, reservation);
		const statuses = await Promise.all(Array.from({ length: 20 }, () => deliver(event.body, event.header(), path)));
		expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
		expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
		// A late redelivery after processing is a duplicate: 200, nothing new.
		expect(await redeliver(event.body, event.header(), path)).toBe(200);
		await sleep(1_500);
		const runs = await executionsFor(eventId, workflow);
		expect(runs).toHaveLength(1);
		expect(runs[0].status).toBe('success');
		expect(await billing(reservation)).toMatchObject({ status: 'paid', amount_paid: 15000 });
	});
});

it('answers a bad signature with 401 and starts no execution', async () => {
	const event = signedEvent('evt_e2e_forged', 'R-E2E-FORGED');
	const forged = peer.signPayload(event.body, { secret: 'whsec_attacker' });
	expect(await deliver(event.body, forged)).toBe(401);
	expect(await deliver(event.body, '')).toBe(400);
	const stale = peer.signPayload(event.body, { secret: WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 3600 });
	expect(await deliver(event.body, stale)).toBe(401);
	await sleep(1_000);
	expect(await executionsFor('evt_e2e_forged')).toHaveLength(0);
	expect(await billing('R-E2E-FORGED')).toBeUndefined();
});

it('processes an event again on redelivery when its first processing failed', async () => {
	const event = signedEvent('evt_e2e_retry', 'R-E2E-RETRY');
	// The hotel database loses its payments table for a moment: the workflow fails.
	await sql.query('ALTER TABLE payments RENAME TO payments_offline');
	try {
		expect(await deliver(event.body, event.header())).toBe(500);
	} finally {
		await sql.query('ALTER TABLE payments_offline RENAME TO payments');
	}
	expect((await billing('R-E2E-RETRY'))?.status ?? 'unpaid').toBe('unpaid');
	// Stripe redelivers: processed now, and only now remembered as done.
	expect(await redeliver(event.body, event.header())).toBe(200);
	expect(await billing('R-E2E-RETRY')).toMatchObject({ status: 'paid' });
	expect(await redeliver(event.body, event.header())).toBe(200);
	await sleep(1_000);
	const runs = await executionsFor('evt_e2e_retry');
	expect(runs.map((r) => r.status).sort()).toEqual(['error', 'success']);
});

it('holds a payment naming a reservation the hotel does not have: "Unmatched Payment" output, no billing for an invented reservation, listed for hotel IT', async () => {
	const event = signedEvent('evt_e2e_unmatched', "R-E2E-TYPO'; DROP TABLE payments;--");
	expect(await deliver(event.body, event.header())).toBe(200);
	const [execution] = await waitFor(async () => {
		const found = await executionsFor('evt_e2e_unmatched');
		return found.length > 0 && found.every((e) => e.finished) ? found : undefined;
	});
	expect(execution.status).toBe('success');
	expect(nodeOutput(execution, 'Mark Reservation Paid', 0)).toHaveLength(0);
	expect(nodeOutput(execution, 'Mark Reservation Paid', 1)[0]).toMatchObject({ applied: false, unmatched: true, payment: { namedReservationId: "R-E2E-TYPO'; DROP TABLE payments;--" } });
	expect(nodeOutput(execution, 'Unmatched Payment (Held for Hotel IT)', 0)).toHaveLength(1);
	expect(await billing("R-E2E-TYPO'; DROP TABLE payments;--")).toBeUndefined();
	const held = await sql.query("SELECT payment_id, event_ids, matched_at FROM unmatched_payments WHERE payment_id = 'pi_evt_e2e_unmatched'");
	expect(held.rows).toEqual([{ payment_id: 'pi_evt_e2e_unmatched', event_ids: ['evt_e2e_unmatched'], matched_at: null }]);
	// Redelivered: a duplicate, and still one held payment.
	expect(await redeliver(event.body, event.header())).toBe(200);
	expect((await sql.query('SELECT count(*)::int AS n FROM unmatched_payments')).rows[0].n).toBe(1);
});

describe('credential Test buttons', () => {
	const test = (credentials: { name: string; type: string; data: Record<string, unknown> }) => pressCredentialTest(n8n, credentials);

	it('Hotel Stripe API: OK with the right key, an error with a wrong one', async () => {
		const ok = await test({ name: 'T', type: 'hotelStripeApi', data: { secretKey: SECRET_KEY, webhookSecret: 'x', baseUrl: peer.url } });
		expect(ok.status).toBe('OK');
		const bad = await test({ name: 'T', type: 'hotelStripeApi', data: { secretKey: 'sk_test_wrong', webhookSecret: 'x', baseUrl: peer.url } });
		expect(bad.status).toBe('Error');
	});

	it('Hotel PostgreSQL: OK when reachable, a clear error when not', async () => {
		const data = { host: database.config.host, port: database.config.port, database: database.name, user: database.config.user, password: '', ssl: false };
		expect((await test({ name: 'T', type: 'hotelPostgresApi', data })).status).toBe('OK');
		const bad = await test({ name: 'T', type: 'hotelPostgresApi', data: { ...data, port: 1 } });
		expect(bad).toMatchObject({ status: 'Error', message: expect.stringContaining('Could not connect to PostgreSQL at 127.0.0.1:1') });
	});

	it('Hotel Redis: OK when reachable, a clear error when not', async () => {
		const data = { host: REDIS.host, port: REDIS.port, username: '', password: '', database: 0, tls: false, keyPrefix: 'hotel:' };
		expect((await test({ name: 'T', type: 'hotelRedisApi', data })).status).toBe('OK');
		const bad = await test({ name: 'T', type: 'hotelRedisApi', data: { ...data, port: 1 } });
		expect(bad).toMatchObject({ status: 'Error', message: expect.stringContaining('Could not connect to Redis') });
	});
});

