/**
 * The whole product on n8n's queue mode, as `npm run start:queue` runs it: a main, two workers and a
 * webhook process started from docker/compose.queue.yml's own services (scripts/n8nQueue.ts), n8n's
 * data and the hotel's in one PostgreSQL database, jobs in Redis, every shipped workflow active,
 * the local peers as partners. What must hold across processes: one execution per Stripe event
 * however often it is delivered, no overbooking however many workers book at once, one OTA pull
 * per poll, one e-mail per reason, and nothing lost or applied twice when a worker is killed.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startN8nQueue, type N8nQueue } from '../../scripts/n8nQueue';
import { runManually } from '../../scripts/n8nApi';
import {
	BOOKING_ENGINE_AUDIENCE,
	BOOKING_ENGINE_SECRET,
	createSandboxCredentials,
	OTA_WEBHOOK_SECRET,
	PAYMENT_WEBHOOK_PATH,
	seedDemoHotel,
	startPeers,
	stopPeers,
	STRIPE_KEY,
	STRIPE_WEBHOOK_SECRET,
	type Peers,
} from '../../scripts/sandbox';
import { HotelService } from '../../lib/booking/hotelService';
import { signTestToken } from '../support/testTokens';
import { closeAllStores, getStore } from '../../lib/store/db';
import { pressCredentialTest } from '../support/credentialTest';
import { createTestDatabase, uniqueRedisPrefix, type TestDatabase } from '../support/services';
import { databaseUrl } from '../support/workflows';
import { insertBareReservations } from '../support/reservationRows';
import { day } from '../support/days';
import { sleep, waitFor } from '../support/waitFor';

jest.setTimeout(600_000);

let cluster: N8nQueue;
let peers: Peers;
let database: TestDatabase;
let sql: Client;
let token: string;
const workflowIds: Record<string, string> = {};
/** Which worker started each execution, from the workers' own log lines. */
const ranOn = new Map<string, string>();
// Five rooms on one night, for the booking race.
const RACE_NIGHT = 300;

beforeAll(async () => {
	database = await createTestDatabase('e2e_queue');
	await seedDemoHotel(database.config);
	await new HotelService(await getStore(database.config)).setInventory({ roomType: 'DBL', from: day(RACE_NIGHT), to: day(RACE_NIGHT + 1), allotment: 5 });
	const kills = Array.from({ length: 30 }, (_, i) => `R-QUEUE-KILL-${i}`);
	await insertBareReservations(await getStore(database.config), ['R-QUEUE-20', 'R-QUEUE-FIRST', 'R-QUEUE-RETRY', ...kills]);
	await closeAllStores();
	sql = new Client(database.config);
	await sql.connect();
	peers = await startPeers();
	cluster = await startN8nQueue({
		n8nDatabase: { ...database.config, password: database.config.password ?? '' },
		hotelDatabaseUrl: databaseUrl(database),
		redisPrefix: `hotel-e2e-${database.name}`,
		workers: 2,
		log: (name, line) => {
			const started = /Worker started execution (\d+)/.exec(line);
			if (started) ranOn.set(started[1], name);
		},
	});
	const ids = await createSandboxCredentials(cluster, peers, uniqueRedisPrefix('e2e-queue'));
	for (const file of readdirSync(path.join(__dirname, '..', '..', 'workflows')).filter((f) => f.endsWith('.json'))) {
		workflowIds[file] = (await cluster.api.importWorkflowFile(file, ids)).id;
	}
	await cluster.api.waitForWebhook(PAYMENT_WEBHOOK_PATH, 'POST');
	await cluster.api.waitForWebhook('hotel-booking-engine/reservations', 'POST');
	await cluster.api.waitForWebhook('hotel-ota-webhook/reservations', 'POST');
	peers.stripePeer.setWebhook(cluster.webhookUrl(PAYMENT_WEBHOOK_PATH), STRIPE_WEBHOOK_SECRET);
	token = await signTestToken({ sub: 'queue-e2e', scope: 'reservations', aud: BOOKING_ENGINE_AUDIENCE }, { alg: 'HS256', secret: BOOKING_ENGINE_SECRET, expiresIn: '1h' });
});

afterAll(async () => {
	await cluster?.stop();
	if (peers) await stopPeers(peers);
	await sql?.end();
	await database?.drop();
});

const billing = async (reservationId: string) =>
	(await sql.query('SELECT status, amount_paid FROM reservation_billing WHERE reservation_id = $1', [reservationId])).rows[0];

function stripeEvent(id: string, reservationId: string) {
	const body = JSON.stringify({
		id,
		object: 'event',
		type: 'payment_intent.succeeded',
		created: Math.floor(Date.now() / 1000),
		data: { object: { id: `pi_${id}`, object: 'payment_intent', amount: 15000, amount_received: 15000, currency: 'eur', metadata: { reservation_id: reservationId } } },
	});
	return { body, header: () => peers.stripePeer.signPayload(body, { secret: STRIPE_WEBHOOK_SECRET }) };
}

async function deliver(event: { body: string; header(): string }): Promise<number> {
	const res = await fetch(cluster.webhookUrl(PAYMENT_WEBHOOK_PATH), {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'stripe-signature': event.header() },
		body: event.body,
		signal: AbortSignal.timeout(120_000),
	}).catch(() => undefined);
	await res?.arrayBuffer();
	return res?.status ?? 0;
}

/** As Stripe does: delivered again while the answer is not 2xx (409 in progress, 5xx, no answer), for up to `ms`. */
async function deliverUntilAccepted(event: { body: string; header(): string }, ms = 150_000): Promise<number[]> {
	const deadline = Date.now() + ms;
	const statuses = [await deliver(event)];
	while (statuses.at(-1) !== 200 && Date.now() < deadline) {
		await sleep(500);
		statuses.push(await deliver(event));
	}
	return statuses;
}

async function paymentExecutionsFor(eventId: string) {
	const all = await cluster.api.listExecutions({ workflowId: workflowIds['payment-webhook.json'], includeData: true });
	return all.filter((e) => JSON.stringify(e.data?.resultData.runData['Stripe Payment Events'] ?? '').includes(`"${eventId}"`));
}

async function book(body: Record<string, unknown>) {
	const res = await fetch(cluster.webhookUrl('hotel-booking-engine/reservations'), {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(180_000),
	});
	const text = await res.text();
	return { status: res.status, text };
}

it('runs every execution on a worker: main and the webhook process run none', async () => {
	const processes = cluster.processes.map((p) => `${p.name}:${p.role}`);
	expect(processes).toEqual(['main:main', 'webhook:webhook', 'worker-1:worker', 'worker-2:worker']);
	const event = stripeEvent('evt_queue_first', 'R-QUEUE-FIRST');
	expect(await deliverUntilAccepted(event)).toContain(200);
	const [execution] = await waitFor(async () => {
		const found = await paymentExecutionsFor('evt_queue_first');
		return found.length > 0 && found.every((e) => e.finished) ? found : undefined;
	});
	expect(ranOn.get(String(execution.id))).toMatch(/^worker-/);
	expect(execution.mode).toBe('webhook');
});

it('20 concurrent deliveries of one Stripe event through the webhook process: one execution on a worker, billed once', async () => {
	const event = stripeEvent('evt_queue_twenty', 'R-QUEUE-20');
	const statuses = await Promise.all(Array.from({ length: 20 }, () => deliver(event)));
	expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
	expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
	// Stripe's redeliveries after the answer: duplicates, 200, nothing new.
	expect((await deliverUntilAccepted(event)).at(-1)).toBe(200);
	await sleep(1_500);
	const runs = await paymentExecutionsFor('evt_queue_twenty');
	expect(runs.map((r) => r.status)).toEqual(['success']);
	expect(ranOn.get(String(runs[0].id))).toMatch(/^worker-/);
	expect(await billing('R-QUEUE-20')).toMatchObject({ status: 'paid', amount_paid: 15000 });
});

it('processes a Stripe event again on redelivery when its first processing on a worker failed', async () => {
	const event = stripeEvent('evt_queue_retry', 'R-QUEUE-RETRY');
	await sql.query('ALTER TABLE payments RENAME TO payments_offline');
	try {
		expect(await deliver(event)).toBe(500);
	} finally {
		await sql.query('ALTER TABLE payments_offline RENAME TO payments');
	}
	expect((await billing('R-QUEUE-RETRY'))?.status ?? 'unpaid').toBe('unpaid');
	expect((await deliverUntilAccepted(event)).at(-1)).toBe(200);
	expect(await billing('R-QUEUE-RETRY')).toMatchObject({ status: 'paid', amount_paid: 15000 });
	await sleep(1_000);
	expect((await paymentExecutionsFor('evt_queue_retry')).map((r) => r.status).sort()).toEqual(['error', 'success']);
});

it('200 concurrent bookings for the last 5 rooms, across both workers: exactly 5 booked, the rest refused', async () => {
	const before = new Set(ranOn.keys());
	const answers = await Promise.all(
		Array.from({ length: 200 }, (_, i) =>
			book({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(RACE_NIGHT), departure: day(RACE_NIGHT + 1), adults: 2, guest: { name: `Racer ${i}`, email: `racer-${i}@example.com` } }),
		),
	);
	const byStatus = answers.reduce<Record<number, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
	const others = answers.filter((a) => a.status !== 201 && a.status !== 409).map((a) => `${a.status} ${a.text.slice(0, 200)}`);
	expect([byStatus, others.slice(0, 3)]).toEqual([{ 201: 5, 409: 195 }, []]);
	const stored = await sql.query(`SELECT count(*)::int AS n FROM reservations WHERE arrival = $1 AND status <> 'cancelled'`, [day(RACE_NIGHT)]);
	expect(stored.rows[0].n).toBe(5);
	const sold = await sql.query('SELECT sold, allotment FROM inventory_nights WHERE room_type_code = $1 AND night = $2', ['DBL', day(RACE_NIGHT)]);
	expect(sold.rows[0]).toMatchObject({ sold: 5, allotment: 5 });
	const workersUsed = new Set([...ranOn].filter(([id]) => !before.has(id)).map(([, worker]) => worker));
	expect([...workersUsed].sort()).toEqual(['worker-1', 'worker-2']);
});

it('pushed OTA reservations through the webhook process are stored once, however often they are pushed', async () => {
	const reservation = {
		// One message delivered five times at once (the same version each time), as a channel redelivers.
		channelReservationId: 'BDC-QUEUE-PUSH', version: '1', action: 'book' as const, roomType: 'BDC-DBL', ratePlan: 'BDC-BAR', arrival: day(40), departure: day(42),
		rooms: 1, adults: 2, children: 0, amount: 24000, currency: 'EUR', guest: { name: 'Zoë Queue', email: 'zoe-queue@example.com' },
	};
	const url = cluster.webhookUrl('hotel-ota-webhook/reservations');
	const pushes = await Promise.all(Array.from({ length: 5 }, () => peers.otaPeer.pushReservation(url, reservation, { secret: OTA_WEBHOOK_SECRET })));
	expect(pushes.map((p) => p.status).every((s) => s === 200 || s === 409)).toBe(true);
	const stored = await waitFor(async () => {
		const rows = (await sql.query('SELECT id, guest_name FROM reservations WHERE channel_reservation_id = $1', ['BDC-QUEUE-PUSH'])).rows;
		return rows.length > 0 ? rows : undefined;
	});
	await sleep(1_000);
	expect((await sql.query('SELECT count(*)::int AS n FROM reservations WHERE channel_reservation_id = $1', ['BDC-QUEUE-PUSH'])).rows[0].n).toBe(1);
	expect(stored[0].guest_name).toBe('Zoë Queue');
});

it('polls the OTA from one process only (main, the leader): the waiting bookings are stored once, pulls a minute apart', async () => {
	// The sandbox queued three bookings at the OTA; the pull workflow polls every minute.
	const ids = ['BDC-1001', 'BDC-1002', 'BDC-1003'];
	await waitFor(async () => {
		const rows = (await sql.query('SELECT channel_reservation_id FROM reservations WHERE channel_reservation_id = ANY($1)', [ids])).rows;
		return rows.length === 3 ? rows : undefined;
	}, 150_000, 'the three bookings waiting at the OTA');
	// Each poll asks once per kind (new, then modified: one GET each). Four processes each polling
	// would ask four times a minute; one leader asks once. Only the poll asks for modified
	// reservations; the health workflow's channel probe also reads the new ones, once per run.
	const pulls = peers.otaPeer.requests.filter(isPull);
	const modified = pulls.filter((r) => r.path === '/OTA_HotelResModifyNotif').map((r) => r.at);
	expect(modified.length).toBeGreaterThanOrEqual(1);
	const tooClose = modified.slice(1).map((at, i) => at - modified[i]).filter((gap) => gap < 30_000);
	expect(tooClose).toEqual([]);
	const probes = (await cluster.api.listExecutions({ workflowId: workflowIds['integration-health.json'] })).length;
	const fresh = pulls.filter((r) => r.path === '/OTA_HotelResNotif').length;
	// At most one poll ahead (asked for new, not yet for modified) besides the health probes.
	expect(fresh).toBeLessThanOrEqual(modified.length + 1 + probes);
	for (const id of ids) expect(peers.otaPeer.acknowledged.get(id)).toBeGreaterThanOrEqual(1);
	const counts = (await sql.query('SELECT channel_reservation_id, count(*)::int AS n FROM reservations WHERE channel_reservation_id = ANY($1) GROUP BY 1', [ids])).rows;
	expect(counts.every((r) => r.n === 1)).toBe(true);
});

it('sends every guest e-mail once, with the e-mail queue worked across processes', async () => {
	// Confirmations for the five race winners, the pushed booking and the three pulled ones.
	const winners = (await sql.query(`SELECT guest_email FROM reservations WHERE arrival = $1`, [day(RACE_NIGHT)])).rows.map((r) => r.guest_email as string);
	const expected = [...winners, 'zoe-queue@example.com', 'bdc-1001@example.com', 'bdc-1002@example.com', 'bdc-1003@example.com'];
	await waitFor(() => (expected.every((to) => peers.smtpPeer.messages.some((m) => m.to.includes(to))) ? true : undefined), 200_000, 'every confirmation e-mail');
	// One more minute of polling must not send any of them again.
	await sleep(65_000);
	const sent = peers.smtpPeer.messages.map((m) => `${m.to.join(',')} | ${m.subject}`);
	const repeated = sent.filter((key, i) => sent.indexOf(key) !== i);
	expect(repeated).toEqual([]);
	for (const to of expected) expect(peers.smtpPeer.messages.filter((m) => m.to.includes(to) && /confirm/i.test(m.subject))).toHaveLength(1);
});

it('the credential Test buttons and the health workflow work in queue mode', async () => {
	const test = async (credentials: { name: string; type: string; data: Record<string, unknown> }) => (await pressCredentialTest(cluster, credentials)).status;
	expect(await test({ name: 'T', type: 'hotelStripeApi', data: { secretKey: STRIPE_KEY, webhookSecret: 'x', baseUrl: peers.stripePeer.url } })).toBe('OK');
	expect(await test({ name: 'T', type: 'hotelStripeApi', data: { secretKey: 'sk_test_wrong', webhookSecret: 'x', baseUrl: peers.stripePeer.url } })).toBe('Error');
	const pg = { host: database.config.host, port: database.config.port, database: database.name, user: database.config.user, password: '', ssl: false };
	expect(await test({ name: 'T', type: 'hotelPostgresApi', data: pg })).toBe('OK');

	const health = workflowIds['integration-health.json'];
	const executionId = await runManually(cluster, health, 'Every 5 Minutes');
	const execution = await waitFor(async () => {
		const e = await cluster.api.getExecution(executionId, true);
		return e.finished || ['success', 'error', 'crashed'].includes(e.status) ? e : undefined;
	}, 60_000, 'the health execution');
	expect(execution.status).toBe('success');
	const checks = (await sql.query('SELECT integration, last_status FROM integration_health ORDER BY integration')).rows.map((r) => [r.integration, r.last_status]);
	expect(checks).toEqual(expect.arrayContaining([['postgresql', 'ok'], ['stripe', 'ok'], ['smtp', 'ok'], ['ota:booking', 'ok']]));
});

it('a worker killed (SIGKILL) in the middle of executions: every payment applied exactly once, nothing lost', async () => {
	const events = Array.from({ length: 30 }, (_, i) => ({ id: `evt_queue_kill_${i}`, reservation: `R-QUEUE-KILL-${i}` }));
	const victim = cluster.workers()[0];
	// The payments table is held locked, so the burst's executions stop mid-way (after the trigger,
	// inside "Mark Reservation Paid") and the kill lands on executions that are really running.
	const holder = new Client(database.config);
	await holder.connect();
	await holder.query('BEGIN');
	await holder.query('LOCK TABLE payments IN EXCLUSIVE MODE');
	const burstStart = ranOn.size;
	const onVictim = () => [...ranOn.values()].slice(burstStart).filter((w) => w === victim.name).length;
	// A delivery whose answer comes after the sender gave up (n8n fails a dead worker's jobs only
	// when a live worker's stalled check finds their lock expired, 60–90 s after the kill) leaves
	// its claim to the lease (300 s in the shipped workflow): the redeliveries go on past it.
	const deliveries = events.map((e) => deliverUntilAccepted(stripeEvent(e.id, e.reservation), 420_000));
	try {
		await waitFor(() => onVictim() >= 3, 60_000, 'executions held on the victim worker');
		victim.proc.kill('SIGKILL');
		await victim.proc.exited;
	} finally {
		await holder.query('COMMIT');
		await holder.end();
	}
	const killedWith = onVictim();
	const replacement = await cluster.startWorker();
	expect(replacement.name).toBe('worker-3');

	const answered = await Promise.all(deliveries);
	const unaccepted = events.map((e, i) => [e.id, answered[i]] as const).filter(([, statuses]) => statuses.at(-1) !== 200);
	expect(unaccepted).toEqual([]);
	for (const e of events) expect(await billing(e.reservation)).toMatchObject({ status: 'paid', amount_paid: 15000 });
	const payments = await sql.query(`SELECT reservation_id, count(*)::int AS n, sum(amount_received)::int AS received FROM payments WHERE reservation_id LIKE 'R-QUEUE-KILL-%' GROUP BY 1`);
	expect(payments.rows).toHaveLength(30);
	expect(payments.rows.every((r) => r.n === 1 && r.received === 15000)).toBe(true);
	// What n8n reports: every event has one successful execution; an execution the killed worker
	// held is not reported as a success it was not.
	const statuses: Record<string, number> = {};
	for (const e of events) {
		const runs = await paymentExecutionsFor(e.id);
		expect(runs.filter((r) => r.status === 'success')).toHaveLength(1);
		for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
	}
	const unfinished = [...(await cluster.api.listExecutions({ workflowId: workflowIds['payment-webhook.json'], status: 'running' }))];
	console.log(`worker kill: ${killedWith} executions running on ${victim.name} when it was killed; deliveries per event ${answered.map(runLengths).join(' ')}; execution statuses ${JSON.stringify(statuses)}; still "running": ${unfinished.length}`);
}, 720_000);

/** 0,409,409,409,200 → "0/409×3/200" */
function runLengths(statuses: number[]): string {
	const runs: Array<[number, number]> = [];
	for (const s of statuses) {
		const last = runs.at(-1);
		if (last && last[0] === s) last[1]++;
		else runs.push([s, 1]);
	}
	return runs.map(([s, n]) => (n > 1 ? `${s}×${n}` : String(s))).join('/');
}

/** A reservations pull at the local OTA (not an ARI push, not an acknowledgement). */
function isPull(r: { method: string; path: string; root?: string }): boolean {
	return r.root === 'OTA_ReadRQ' || (r.method === 'GET' && /ResNotif|ResModifyNotif|reserv/i.test(r.path));
}
