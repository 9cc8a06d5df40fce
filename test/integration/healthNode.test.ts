/**
 * The Integration Health node on its own: a fake n8n context, the local Stripe and OTA peers, the
 * real PostgreSQL (state in a database of this file's own) and Redis. What a hotel relies on: one
 * integration down is a failed result, not a failed execution; Alerts stays empty until the
 * threshold is passed, then carries one alert, and one recovery; nothing secret is shown or logged.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { NodeOperationError, type ICredentialDataDecryptedObject } from 'n8n-workflow';
import { IntegrationHealth } from '../../nodes/IntegrationHealth/IntegrationHealth.node';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore } from '../../lib/store/db';
import { startSquarePeer } from '../peers/squarePeer';
import { closeAllRedis } from '../../lib/store/redis';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { startStripePeer, type StripePeer } from '../peers/stripePeer';
import { PEER_HOTEL } from '../support/channels';
import { fakeExecuteContext } from '../support/fakeExecuteContext';
import { REDIS, createTestDatabase, type TestDatabase } from '../support/services';
import { insertBareReservations } from '../support/reservationRows';
import { BillingLedger } from '../../lib/payments/billingLedger';

const STRIPE_KEY = 'sk_test_health_node_secret';
let database: TestDatabase;
let stripe: StripePeer;
let ota: OtaPeer;

beforeAll(async () => {
	database = await createTestDatabase('healthnode');
	stripe = await startStripePeer({ secretKey: STRIPE_KEY });
	ota = await startOtaPeer({ profile: 'booking', ...PEER_HOTEL });
});
afterAll(async () => {
	await Promise.all([stripe.stop(), ota.stop()]);
	await closeAllRedis();
	await closeAllStores();
	await database.drop();
});
beforeEach(async () => {
	// Each test starts with no failure streaks.
	await (await getStore(database.config)).query('DELETE FROM integration_health');
	resetPartnerPolicies();
});

type Params = Record<string, unknown>;

function credentials(over: Record<string, ICredentialDataDecryptedObject> = {}): Record<string, ICredentialDataDecryptedObject> {
	const { config } = database;
	return {
		hotelStripeApi: { secretKey: STRIPE_KEY, webhookSecret: 'whsec_health_node', baseUrl: stripe.url },
		hotelOtaChannelApi: { profile: 'booking', channel: 'booking', baseUrl: ota.url, ...PEER_HOTEL, webhookSecret: 'ota-webhook-secret' },
		hotelPostgresApi: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '' },
		hotelRedisApi: { host: REDIS.host, port: REDIS.port, password: '', database: 0, keyPrefix: 'hotel-test:health:' },
		...over,
	};
}

async function runNode(params: Params = {}, opts: { credentials?: Record<string, ICredentialDataDecryptedObject>; continueOnFail?: boolean } = {}) {
	const { ctx, logs } = fakeExecuteContext({
		node: {
			type: 'n8n-nodes-hotel-integrations.integrationHealth',
			parameters: { integrations: ['otaChannel', 'stripe', 'postgresql', 'redis'], database: 'postgres', alertAfterFailures: 3, timeout: 2, ...params },
		},
		items: [{}],
		credentials: opts.credentials ?? credentials(),
		continueOnFail: opts.continueOnFail,
	});
	const [results, alerts] = await new IntegrationHealth().execute.call(ctx);
	const byName = Object.fromEntries(results.map((r) => [r.json.integration as string, r.json]));
	return { results, alerts, byName, logs };
}

it('reports every integration ok with its latency, and no alerts', async () => {
	const { results, alerts, logs } = await runNode();
	expect(results.map((r) => r.json)).toEqual([
		{ integration: 'ota:booking', status: 'ok', latencyMs: expect.any(Number), error: null, consecutiveFailures: 0, checkedAt: expect.any(String) },
		{ integration: 'stripe', status: 'ok', latencyMs: expect.any(Number), error: null, consecutiveFailures: 0, checkedAt: expect.any(String) },
		{ integration: 'postgresql', status: 'ok', latencyMs: expect.any(Number), error: null, consecutiveFailures: 0, checkedAt: expect.any(String) },
		{ integration: 'redis', status: 'ok', latencyMs: expect.any(Number), error: null, consecutiveFailures: 0, checkedAt: expect.any(String) },
	]);
	expect(results.every((r) => r.pairedItem && (r.pairedItem as { item: number }).item === 0)).toBe(true);
	expect(alerts).toEqual([]);
	// Structured log lines: integration, operation, status, duration.
	const stripeLog = logs.find((l) => l.startsWith('info Integration health check passed') && l.includes('"integration":"stripe"'));
	expect(stripeLog).toMatch(/"operation":"health-check","status":"ok","durationMs":[\d.]+/);
});

it('Stripe down: failed results, no alert for 3 runs, one alert on the 4th, none on the 5th, then one recovery', async () => {
	stripe.failNext(5, 503);
	const requestsBefore = stripe.requests.length;
	const alertsPerRun: unknown[][] = [];
	for (let run = 1; run <= 6; run++) {
		const { byName, alerts } = await runNode();
		if (run <= 5) expect(byName.stripe).toMatchObject({ status: 'failed', consecutiveFailures: run, error: expect.stringMatching(/^Stripe is not answering properly/) });
		else expect(byName.stripe).toMatchObject({ status: 'ok', consecutiveFailures: 0, error: null });
		// The other integrations are untouched by Stripe's outage.
		expect([byName['ota:booking'].status, byName.postgresql.status, byName.redis.status]).toEqual(['ok', 'ok', 'ok']);
		alertsPerRun.push(alerts.map((a) => a.json));
	}
	expect(alertsPerRun.map((a) => a.length)).toEqual([0, 0, 0, 1, 0, 1]);
	expect(alertsPerRun[3][0]).toMatchObject({
		alert: 'failing',
		integration: 'stripe',
		error: expect.stringMatching(/^Stripe is not answering properly/),
		consecutiveFailures: 4,
		since: expect.any(String),
	});
	expect(alertsPerRun[5][0]).toMatchObject({ alert: 'recovered', integration: 'stripe', error: null, consecutiveFailures: 5 });
	// A probe is one request: no retries hiding the outage (6 runs, 6 requests).
	expect(stripe.requests.length - requestsBefore).toBe(6);
});

it('a channel that hangs fails at the timeout, while the other checks finish on their own', async () => {
	ota.fail({ kind: 'timeout', count: 1 });
	const started = Date.now();
	const { byName, alerts } = await runNode({ timeout: 1 });
	expect(Date.now() - started).toBeLessThan(10_000); // the peer never answers: without the timeout, never
	expect(byName['ota:booking']).toMatchObject({ status: 'failed', error: 'ota:booking did not answer within 1 s.', consecutiveFailures: 1 });
	expect(byName['ota:booking'].latencyMs).toBeGreaterThanOrEqual(990);
	expect(byName.stripe.status).toBe('ok');
	expect(byName.stripe.latencyMs as number).toBeLessThan(900);
	expect(alerts).toEqual([]);
});

it('Redis unreachable: a failed result with the reason, the rest ok', async () => {
	const { byName } = await runNode(
		{ integrations: ['redis', 'stripe'] },
		{ credentials: credentials({ hotelRedisApi: { host: '127.0.0.1', port: 1, password: 'redis-secret-pw', database: 0 } }) },
	);
	expect(byName.redis).toMatchObject({ status: 'failed', error: expect.stringMatching(/^Redis at 127.0.0.1:1 did not answer: .*ECONNREFUSED/) });
	expect(byName.stripe.status).toBe('ok');
});

it('an integration without its credential fails as a result, not the execution', async () => {
	const { byName } = await runNode({ integrations: ['smtp', 'stripe'] });
	expect(byName.smtp).toMatchObject({ status: 'failed', error: expect.stringMatching(/^The smtp check is not set up properly: .*hotelSmtpApi/) });
	expect(byName.stripe.status).toBe('ok');
});

it('the state store down (the PostgreSQL being checked): results still go out, and every failure is alerted', async () => {
	const { config } = database;
	const down = { host: config.host, port: 1, database: config.database, user: config.user, password: 'pg-secret-password' };
	const { byName, alerts, logs } = await runNode({ integrations: ['postgresql', 'stripe'] }, { credentials: credentials({ hotelPostgresApi: down }) });
	expect(byName.postgresql).toMatchObject({ status: 'failed', consecutiveFailures: null, error: `PostgreSQL at 127.0.0.1:1/${config.database} did not answer: connect ECONNREFUSED 127.0.0.1:1` });
	expect(byName.stripe).toMatchObject({ status: 'ok', consecutiveFailures: null });
	expect(alerts.map((a) => a.json)).toEqual([
		expect.objectContaining({ alert: 'failing', integration: 'postgresql', consecutiveFailures: null, stateError: expect.stringMatching(/^The health state could not be recorded/) }),
	]);
	expect(logs.join('\n')).toContain('error Integration health state not recorded');
	expect(logs.join('\n')).not.toContain('pg-secret-password');
});

it('never shows or logs a secret, even when a partner echoes it back', async () => {
	// A badly behaved endpoint that repeats the credentials it was sent in its error page.
	const echo = http.createServer((req, res) => {
		const basic = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
		res.writeHead(400, { 'content-type': 'text/plain' }).end(`Bad request from ${basic}`);
	});
	await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
	try {
		const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
		const ota = { profile: 'booking', channel: 'booking', baseUrl: url, hotelCode: 'HOTEL1', username: 'hotel', password: 'ota-secret-password', webhookSecret: 'ota-webhook-secret' };
		const { byName, logs } = await runNode({ integrations: ['otaChannel', 'stripe'] }, { credentials: credentials({ hotelOtaChannelApi: ota }) });
		expect(byName['ota:booking']).toMatchObject({ status: 'failed', error: expect.stringContaining('Bad request from hotel:***') });
		const everything = JSON.stringify(byName) + logs.join('\n');
		for (const secret of ['ota-secret-password', 'ota-webhook-secret', STRIPE_KEY, 'whsec_health_node']) expect(everything).not.toContain(secret);
		expect(logs.some((l) => l.startsWith('warn Integration health check failed') && l.includes('"integration":"ota:booking"'))).toBe(true);
	} finally {
		await new Promise((resolve) => echo.close(resolve));
	}
});

it('refuses to run with no integration selected, or honours Continue On Fail', async () => {
	await expect(runNode({ integrations: [] })).rejects.toThrow(NodeOperationError);
	await expect(runNode({ integrations: [] })).rejects.toThrow('No integration to check');
	await expect(runNode({ alertAfterFailures: -1 })).rejects.toThrow('"Alert After Failures" must be a whole number of at least 0');
	const { results, alerts } = await runNode({ integrations: [] }, { continueOnFail: true });
	expect(results.map((r) => r.json)).toEqual([{ error: 'No integration to check' }]);
	expect(alerts).toEqual([]);
});

it('judges a channel by its recent writes too, and the e-mail queue and payment webhooks by what happened', async () => {
	const db = await getStore(database.config);
	const failedWrite = (message: string) =>
		db.query("INSERT INTO channel_sync_log (channel, message, direction, status, error) VALUES ('booking', $1, 'push', 'failed', 'booking answered 503.')", [message]);
	await db.query("INSERT INTO channel_sync_log (channel, message, direction, status) VALUES ('booking', 'OTA_HotelAvailNotifRQ', 'push', 'ok')");
	await failedWrite('OTA_HotelAvailNotifRQ');
	await failedWrite('OTA_HotelRateAmountNotifRQ');
	const checks = { integrations: ['otaChannel', 'emailQueue', 'paymentWebhooks'] };
	expect((await runNode(checks)).byName['ota:booking'].status).toBe('ok'); // two failures after a success: not yet
	await failedWrite('OTA_HotelAvailNotifRQ');
	let { byName } = await runNode(checks);
	expect(byName['ota:booking']).toMatchObject({ status: 'failed', error: expect.stringMatching(/answers reads, but its last 3 writes failed \(latest: push OTA_HotelAvailNotifRQ .*booking answered 503/) });
	expect(byName['email-queue'].status).toBe('ok');
	expect(byName['payment-webhooks'].status).toBe('ok');

	await db.query(
		"INSERT INTO email_outbox (dedupe_key, template, to_address, subject, html, text_body, message_id, status, last_error) VALUES ('k1', 't', 'a@b.example', 's', 'h', 't', '<m1@x>', 'failed', '550 mailbox unavailable')",
	);
	await db.query(
		"INSERT INTO email_outbox (dedupe_key, template, to_address, subject, html, text_body, message_id, status, next_attempt_at) VALUES ('k2', 't', 'a@b.example', 's', 'h', 't', '<m2@x>', 'queued', now() - interval '1 hour')",
	);
	await db.query("INSERT INTO processed_events (source, event_id, event_type, status) VALUES ('stripe', 'evt_failed_1', 'payment_intent.succeeded', 'failed')");
	await db.query("INSERT INTO channel_sync_log (channel, message, direction, status) VALUES ('booking', 'OTA_NotifReportRQ', 'ack', 'ok')");
	({ byName } = await runNode(checks));
	expect(byName['ota:booking'].status).toBe('ok'); // a write went through again
	expect(byName['email-queue']).toMatchObject({ status: 'failed', error: expect.stringMatching(/1 e-mail\(s\) failed for good in the last day \(latest: 550 mailbox unavailable\); 1 e-mail\(s\) due for more than 15 minutes/) });
	expect(byName['payment-webhooks']).toMatchObject({ status: 'failed', error: expect.stringContaining('stripe: 1 event(s) not processed (1 failed in the workflow, 0 left by a stopped process; latest: payment_intent.succeeded evt_failed_1)') });
	await db.query("UPDATE processed_events SET status = 'done' WHERE event_id = 'evt_failed_1'"); // redelivered and processed
	await db.query('DELETE FROM email_outbox');
	({ byName } = await runNode(checks));
	expect([byName['email-queue'].status, byName['payment-webhooks'].status]).toEqual(['ok', 'ok']);
});

it("fails a channel whose latest audit found drift above the threshold, repaired or not, until an audit finds it in step", async () => {
	const db = await getStore(database.config);
	const audit = (drift: number, repair: string) =>
		db.query(
			"INSERT INTO channel_sync_log (channel, message, direction, nights, items, status, detail) VALUES ('booking', 'ARI audit', 'audit', 60, $1, 'ok', $2)",
			[drift, JSON.stringify({ from: '2026-05-01', to: '2026-05-30', fields: drift ? { roomsLeft: drift } : {}, repair })],
		);
	const checks = { integrations: ['otaChannel'] };
	expect((await runNode(checks)).byName['ota:booking'].status).toBe('ok'); // never audited
	await audit(4, 'repaired');
	expect((await runNode(checks)).byName['ota:booking']).toMatchObject({
		status: 'failed',
		error: expect.stringMatching(/booking had drifted: its audit at .* found 4 of 60 room type nights \(2026-05-01 to 2026-05-30\) that differed from the hotel's records \(roomsLeft 4; repair: repaired\)/),
	});
	expect((await runNode({ ...checks, driftThreshold: 4 })).byName['ota:booking'].status).toBe('ok');
	await audit(0, 'nothing to repair');
	expect((await runNode(checks)).byName['ota:booking'].status).toBe('ok');
});

it('fails while a payment matches no reservation of the hotel, and recovers when it is matched', async () => {
	const db = await getStore(database.config);
	const ledger = new BillingLedger(db);
	const checks = { integrations: ['unmatchedPayments'] };
	expect((await runNode(checks)).byName['unmatched-payments'].status).toBe('ok');
	await ledger.apply({ paymentId: 'pi_health_stray', reservationId: 'R-HEALTH-TYPO', currency: 'eur', amount: 4200, amountReceived: 4200, status: 'succeeded' });
	expect((await runNode(checks)).byName['unmatched-payments']).toMatchObject({
		status: 'failed',
		error: expect.stringContaining('1 payment(s) match no reservation of the hotel (oldest: stripe payment pi_health_stray (succeeded, 4200 EUR, named reservation R-HEALTH-TYPO))'),
	});
	await insertBareReservations(db, ['R-HEALTH-1']);
	await ledger.matchPayment('pi_health_stray', 'R-HEALTH-1');
	expect((await runNode(checks)).byName['unmatched-payments'].status).toBe('ok');
});

it('checks Square by reading the location: ok with the right token, failed (with Square\'s reason) with a wrong location', async () => {
	const square = await startSquarePeer({ accessToken: 'EAAA-health' });
	try {
		const squareCredential = (locationId: string) => credentials({ hotelSquareApi: { accessToken: 'EAAA-health', environment: 'custom', baseUrl: square.url, locationId } });
		expect((await runNode({ integrations: ['square'] }, { credentials: squareCredential(square.locationId) })).byName.square).toMatchObject({ status: 'ok' });
		const { byName, logs } = await runNode({ integrations: ['square'] }, { credentials: squareCredential('L-ELSEWHERE') });
		expect(byName.square).toMatchObject({ status: 'failed', error: expect.stringContaining('Could not find Location with id L-ELSEWHERE') });
		expect(logs.join('\n')).not.toContain('EAAA-health');
	} finally {
		await square.stop();
	}
});
