/**
 * workflows/integration-health.json in a real n8n: every integration checked on schedule against
 * the local peers; a channel that keeps failing alerts the staff by e-mail once (after more than
 * three failed checks in a row), however many checks follow, and its recovery is told once. The
 * same for what is judged from the store: a channel whose audit found drift, a payment that
 * matches no reservation.
 */
import { startN8n, type N8n } from '../../scripts/n8n';
import type { WorkflowJson } from '../../scripts/n8nApi';
import { closeAllStores, getStore, type Db } from '../../lib/store/db';
import { startGooglePeer, type GooglePeer } from '../peers/googlePeer';
import { startOtaPeer, type OtaPeer } from '../peers/otaPeer';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtpPeer';
import { startStripePeer, type StripePeer } from '../peers/stripePeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { waitFor } from '../support/waitFor';
import { SANDBOX_HOTEL_DETAILS } from '../../scripts/sandbox';
import { HotelService } from '../../lib/booking/hotelService';
import { auditChannel } from '../../lib/channels/audit';
import { pushChanges } from '../../lib/channels/push';
import { ChannelMappings } from '../../lib/channels/mapping';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { peerConnection } from '../support/channels';
import { day } from '../support/days';
import { insertBareReservations } from '../support/reservationRows';

let n8n: N8n;
let smtp: SmtpPeer;
let google: GooglePeer;
let ota: OtaPeer;
let stripe: StripePeer;
let database: TestDatabase;
let db: Db;
let workflowId: string;

jest.setTimeout(300_000);

/** The shipped workflow, checking every 2 seconds instead of every 5 minutes. */
function everyTwoSeconds(workflow: WorkflowJson): WorkflowJson {
	for (const node of workflow.nodes) {
		if (node.type === 'n8n-nodes-base.scheduleTrigger') node.parameters = { rule: { interval: [{ field: 'seconds', secondsInterval: 2 }] } };
	}
	return workflow;
}

const alertsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
const streak = async () => (await db.query<{ c: number }>("SELECT consecutive_failures AS c FROM integration_health WHERE integration = 'ota:booking'")).rows[0]?.c ?? 0;
const finishedRuns = async () => (await n8n.api.listExecutions({ workflowId })).filter((r) => r.status === 'success' || r.status === 'error');

beforeAll(async () => {
	database = await createTestDatabase('e2e_health');
	db = await getStore(database.config);
	smtp = await startSmtpPeer();
	google = await startGooglePeer();
	ota = await startOtaPeer({ profile: 'booking', hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret' });
	stripe = await startStripePeer({ secretKey: 'sk_test_health' });
	n8n = await startN8n();
	const { config } = database;
	const credentials: Array<[string, string, Record<string, unknown>]> = [
		[POSTGRES_CREDENTIAL_NAME, 'hotelPostgresApi', { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '', ssl: false }],
		['Hotel Details', 'hotelDetailsApi', SANDBOX_HOTEL_DETAILS],
		['Hotel SMTP', 'hotelSmtpApi', { host: smtp.host, port: smtp.port, tls: 'none', user: '', password: '', fromAddress: 'monitor@hotel.example' }],
		['Hotel Google Calendar', 'hotelGoogleServiceAccountApi', google.credential()],
		['Hotel OTA Channel', 'hotelOtaChannelApi', { profile: 'booking', channel: 'booking', baseUrl: ota.url, hotelCode: 'HOTEL1', username: 'hotel', password: 's3cret', webhookSecret: '' }],
		['Hotel Stripe', 'hotelStripeApi', { secretKey: 'sk_test_health', webhookSecret: 'whsec_unused', baseUrl: stripe.url }],
	];
	const ids: Record<string, string> = {};
	for (const [name, type, data] of credentials) ids[name] = (await n8n.api.createCredential({ name, type, data })).id;
	// The channel is down from the start.
	ota.fail({ kind: '5xx', forMs: 600_000 });
	workflowId = (await n8n.api.importWorkflowFile(writeTempWorkflow(everyTwoSeconds(usePostgres(shippedWorkflow('integration-health.json')))), ids)).id;
});

afterAll(async () => {
	await n8n?.stop();
	await Promise.all([smtp?.stop(), google?.stop(), ota?.stop(), stripe?.stop()]);
	await closeAllStores();
	await database?.drop();
});

it('checks every integration and alerts once when the channel keeps failing', async () => {
	const [alert] = await waitFor(() => (alertsTo('it@hotel.example').length > 0 ? alertsTo('it@hotel.example') : undefined), 90_000, 'the alert e-mail');
	expect(alert.subject).toMatch(/ota:booking is failing \(4 checks in a row\)/);
	expect(alert.text).toMatch(/503/);

	// Three more failed checks (the run that sent the alert may still be saving, so count the streak
	// in the store, not the executions).
	await waitFor(async () => (await streak()) >= 7, 60_000, 'three more failed checks');
	expect(alertsTo('it@hotel.example')).toHaveLength(1);

	const health = await db.query<{ integration: string; last_status: string; consecutive_failures: number }>('SELECT integration, last_status, consecutive_failures FROM integration_health ORDER BY integration');
	expect(health.rows.map((r) => [r.integration, r.last_status])).toEqual([
		['email-queue', 'ok'],
		['google-calendar', 'ok'],
		['ota:booking', 'failed'],
		['payment-webhooks', 'ok'],
		['postgresql', 'ok'],
		['smtp', 'ok'],
		['stripe', 'ok'],
		['unmatched-payments', 'ok'],
	]);
	expect(health.rows.find((r) => r.integration === 'ota:booking')!.consecutive_failures).toBeGreaterThanOrEqual(7);
});

it('tells the staff once when the channel has recovered', async () => {
	ota.fail({ kind: '5xx', count: 0 }); // back up
	await waitFor(() => (alertsTo('it@hotel.example').length > 1 ? true : undefined), 60_000, 'the recovery e-mail');
	const recovered = alertsTo('it@hotel.example')[1];
	expect(recovered.subject).toMatch(/ota:booking has recovered/);
	const runs = (await finishedRuns()).length;
	await waitFor(async () => (await finishedRuns()).length >= runs + 3, 60_000, 'three more checks');
	expect(alertsTo('it@hotel.example')).toHaveLength(2);
	expect(await streak()).toBe(0);
});

it('alerts once for a channel whose audit found drift and for a payment that matches no reservation, and tells each recovery once', async () => {
	const before = alertsTo('it@hotel.example').length;
	const subjects = () => alertsTo('it@hotel.example').slice(before).map((m) => m.subject).sort();
	// Pushed, then changed by hand in the channel's extranet: the audit finds it.
	const hotel = new HotelService(db);
	await hotel.catalog.upsertRoomType({ code: 'DBL', name: 'Double' });
	await hotel.catalog.upsertRatePlan({ code: 'BAR', name: 'Best', currency: 'EUR' });
	await hotel.setInventory({ roomType: 'DBL', from: day(1), to: day(3), allotment: 2 });
	await hotel.setRates({ roomType: 'DBL', ratePlan: 'BAR', from: day(1), to: day(3), amount: 9000 });
	await new ChannelMappings(db, 'booking').set([
		{ kind: 'room_type', hotelCode: 'DBL', channelCode: 'R-DBL' },
		{ kind: 'rate_plan', hotelCode: 'BAR', channelCode: 'RP-BAR' },
	]);
	const conn = peerConnection('booking', ota);
	expect((await pushChanges(db, conn)).status).toBe('pushed');
	for (const night of [day(1), day(2), day(3)]) ota.view.rates.set(`R-DBL|RP-BAR|${night}`, { amount: 1, currency: 'EUR' });
	expect(await auditChannel(db, conn, { from: day(1), nights: 3, repair: true })).toMatchObject({ drift: 3, repair: { status: 'repaired' } });
	// A Stripe payment naming a reservation the hotel does not have.
	const ledger = new BillingLedger(db);
	await ledger.apply({ paymentId: 'pi_e2e_health_stray', reservationId: 'R-E2E-TYPO', currency: 'eur', amount: 5000, amountReceived: 5000, status: 'succeeded' });

	await waitFor(() => (subjects().length >= 2 ? true : undefined), 90_000, 'two alert e-mails');
	expect(subjects()).toEqual([expect.stringMatching(/ota:booking is failing/), expect.stringMatching(/unmatched-payments is failing/)]);
	const drift = alertsTo('it@hotel.example').slice(before).find((m) => /ota:booking/.test(m.subject))!;
	expect(drift.text).toMatch(/booking had drifted: its audit at .* found 3 of 3 room type nights/);

	// The next audit finds the channel in step; the payment is matched by hand.
	expect(await auditChannel(db, conn, { from: day(1), nights: 3, repair: true })).toMatchObject({ drift: 0 });
	await insertBareReservations(db, ['R-E2E-HEALTH']);
	await ledger.matchPayment('pi_e2e_health_stray', 'R-E2E-HEALTH');
	await waitFor(() => (subjects().length >= 4 ? true : undefined), 60_000, 'two recovery e-mails');
	expect(subjects().filter((subject) => /has recovered/.test(subject))).toHaveLength(2);
	const runs = (await finishedRuns()).length;
	await waitFor(async () => (await finishedRuns()).length >= runs + 3, 60_000, 'three more checks');
	expect(subjects()).toHaveLength(4);
});
