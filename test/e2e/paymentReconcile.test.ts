/**
 * The shipped payment workflows' hourly reconcile in a real n8n (#12 B): the gateway's webhooks
 * are all lost, yet the payment becomes `paid` when "Every Hour" runs, and the guest gets one
 * receipt (guest-notifications.json with the local SMTP server); a second run, and the lost webhook
 * delivered late after all, change nothing and send nothing.
 */
import Stripe from 'stripe';
import { Client } from 'pg';
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput, runManually } from '../../scripts/n8nApi';
import { HotelService } from '../../lib/booking/hotelService';
import { getStore, type Db } from '../../lib/store/db';
import { insertBareReservations, readBilling } from '../support/reservationRows';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtpPeer';
import { startSquarePeer, type SquarePeer } from '../peers/squarePeer';
import { startStripePeer, type StripePeer } from '../peers/stripePeer';
import { closeTestDatabase, createTestDatabase, type TestDatabase } from '../support/services';
import { createPostgresCredential, notificationsWithoutCalendar, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { sleep, waitFor } from '../support/waitFor';
import { day } from '../support/days';
import { createHotelDetailsCredential, createSmtpCredential, seedGuestHotel } from '../support/guestHotel';

const STRIPE_KEY = 'sk_test_reconcile_e2e';
const STRIPE_SECRET = 'whsec_reconcile_e2e';
const SQUARE_TOKEN = 'EAAA-reconcile-e2e';

let n8n: N8n;
let stripePeer: StripePeer;
let squarePeer: SquarePeer;
let smtp: SmtpPeer;
let database: TestDatabase;
let db: Db;
let sql: Client;
const workflows: Record<'stripe' | 'square', string> = { stripe: '', square: '' };

jest.setTimeout(300_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_reconcile');
	db = await getStore(database.config);
	await insertBareReservations(db, ['R-SQ-LOST']);
	sql = new Client(database.config);
	await sql.connect();
	await seedGuestHotel(db);
	stripePeer = await startStripePeer({ secretKey: STRIPE_KEY });
	squarePeer = await startSquarePeer({ accessToken: SQUARE_TOKEN });
	smtp = await startSmtpPeer();
	n8n = await startN8n();
	const ids: Record<string, string> = {};
	ids[POSTGRES_CREDENTIAL_NAME] = await createPostgresCredential(n8n, database);
	ids['Hotel Stripe'] = (await n8n.api.createCredential({ name: 'Hotel Stripe', type: 'hotelStripeApi', data: { secretKey: STRIPE_KEY, webhookSecret: STRIPE_SECRET, baseUrl: stripePeer.url } })).id;
	ids['Hotel Square'] = (await n8n.api.createCredential({
		name: 'Hotel Square',
		type: 'hotelSquareApi',
		data: { accessToken: SQUARE_TOKEN, environment: 'custom', baseUrl: squarePeer.url, locationId: squarePeer.locationId, webhookSecret: 'k', webhookNotificationUrl: n8n.webhookUrl('hotel-square-payments/square') },
	})).id;
	ids['Hotel SMTP'] = await createSmtpCredential(n8n, smtp);
	ids['Hotel Details'] = await createHotelDetailsCredential(n8n);
	workflows.stripe = (await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('payment-webhook.json'))), ids)).id;
	workflows.square = (await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('payment-webhook-square.json'))), ids)).id;
	await n8n.api.importWorkflowFile(writeTempWorkflow(notificationsWithoutCalendar(usePostgres(shippedWorkflow('guest-notifications.json')))), ids);
	await n8n.api.waitForWebhook('hotel-stripe-payments/stripe', 'POST');
	stripePeer.setWebhook(n8n.webhookUrl('hotel-stripe-payments/stripe'), STRIPE_SECRET);
	squarePeer.setWebhook(n8n.webhookUrl('hotel-square-payments/square'), 'k');
	// Every webhook is lost, as if the endpoint was down longer than the gateways retry.
	stripePeer.loseWebhooks(Infinity);
	squarePeer.loseWebhooks(Infinity);
	await waitFor(async () => (await db.query('SELECT 1 FROM hotel_event_cursors')).rows.length >= 1, 60_000, 'the event trigger to start reading');
});

afterAll(async () => {
	await n8n?.stop();
	await stripePeer?.stop();
	await squarePeer?.stop();
	await smtp?.stop();
	await closeTestDatabase(database, sql);
});

const billing = (reservationId: string) => readBilling(sql, reservationId);

/** Runs the workflow's "Every Hour" now, as its schedule would, and returns the reconcile report. */
async function reconcileNow(gateway: 'stripe' | 'square') {
	const id = await runManually(n8n, workflows[gateway], 'Every Hour');
	const execution = await waitFor(async () => {
		const e = await n8n.api.getExecution(id, true);
		return e.finished || e.status === 'error' ? e : undefined;
	});
	expect(execution.status).toBe('success');
	return nodeOutput(execution, 'Reconcile Missed Payments', 0)[0] as { applied: Array<{ reservationId: string; type: string }>; unchanged: number };
}

it('Stripe: a payment whose webhooks were all lost is paid after the hourly reconcile, and the guest gets one receipt', async () => {
	const reservation = await new HotelService(db).create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(10), departure: day(12), adults: 2, guest: { name: 'Grace Lost', email: 'grace@guest.example' } });
	const stripe = new Stripe(STRIPE_KEY, { host: '127.0.0.1', port: stripePeer.port, protocol: 'http', maxNetworkRetries: 0 });
	const pi = await stripe.paymentIntents.create({ amount: 20000, currency: 'eur', metadata: { reservation_id: reservation.id } });
	await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
	await sleep(1_000);
	expect(stripePeer.deliveries.every((d) => d.status === 'lost')).toBe(true);
	expect((await billing(reservation.id))?.status ?? 'unpaid').toBe('unpaid');

	const report = await reconcileNow('stripe');
	expect(report.applied).toEqual([expect.objectContaining({ type: 'payment_intent.succeeded', reservationId: reservation.id })]);
	expect(await billing(reservation.id)).toMatchObject({ status: 'paid', amount_paid: 20000 });

	const receipt = await waitFor(() => smtp.messages.find((m) => m.subject.startsWith(`Payment received for reservation ${reservation.id}`)), 150_000, 'the receipt');
	expect(receipt.to).toEqual(['grace@guest.example']);

	// A second run, and the lost webhook delivered after all: nothing changes, no second receipt.
	expect((await reconcileNow('stripe')).applied).toEqual([]);
	stripePeer.loseWebhooks(0);
	const succeeded = stripePeer.events.find((e) => e.type === 'payment_intent.succeeded' && e.data.object.id === pi.id)!;
	expect(await stripePeer.redeliver(succeeded.id)).toEqual([200]);
	// The e-mails come from the hotel's event feed: still one payment event, one receipt in the outbox.
	const count = async (query: string) => (await sql.query(query, [reservation.id])).rows[0].n;
	expect(await count("SELECT count(*)::int AS n FROM hotel_events WHERE reservation_id = $1 AND event = 'payment.succeeded'")).toBe(1);
	expect(await count("SELECT count(*)::int AS n FROM email_outbox WHERE reservation_id = $1 AND template = 'paymentReceipt'")).toBe(1);
	expect(await billing(reservation.id)).toMatchObject({ status: 'paid', amount_paid: 20000 });
});

it('Square: a front-desk payment whose webhooks were lost is paid after the hourly reconcile', async () => {
	const payment = squarePeer.takeAtFrontDesk({ reservationId: 'R-SQ-LOST', amount: 12000, currency: 'EUR' });
	await sleep(500);
	expect(await billing('R-SQ-LOST')).toBeUndefined();
	const report = await reconcileNow('square');
	expect(report.applied).toEqual([expect.objectContaining({ type: 'payment.updated', reservationId: 'R-SQ-LOST' })]);
	expect(await billing('R-SQ-LOST')).toMatchObject({ status: 'paid', amount_paid: 12000 });
	expect(payment.id).toBeTruthy();
});
