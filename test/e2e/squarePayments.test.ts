/**
 * workflows/payment-webhook-square.json and guest-notifications.json in a real n8n, fed by the
 * local Square peer: a Square payment for a reservation starts one execution and marks it paid,
 * and the guest gets the same receipt a Stripe payment gives; a partial refund (which Square
 * reports three times: refund.created, refund.updated, payment.updated) is counted once and e-mailed
 * once; 20 concurrent deliveries of one event start one execution; forged signatures and a
 * signature for another notification URL start nothing; the credential's Test button reads the
 * location.
 */
import { Client } from 'pg';
import { startN8n, type N8n } from '../../scripts/n8n';
import { nodeOutput } from '../../scripts/n8nApi';
import { HotelService } from '../../lib/booking/hotelService';
import { getStore, type Db } from '../../lib/store/db';
import { insertBareReservations, readBilling } from '../support/reservationRows';
import { startSquarePeer, type SquarePeer } from '../peers/squarePeer';
import { startSmtpPeer, type SmtpPeer } from '../peers/smtpPeer';
import { pressCredentialTest } from '../support/credentialTest';
import { closeTestDatabase, createTestDatabase, type TestDatabase } from '../support/services';
import { createPostgresCredential, notificationsWithoutCalendar, POSTGRES_CREDENTIAL_NAME, shippedWorkflow, usePostgres, writeTempWorkflow } from '../support/workflows';
import { sleep, waitFor } from '../support/waitFor';
import { day } from '../support/days';
import { createHotelDetailsCredential, createSmtpCredential, seedGuestHotel } from '../support/guestHotel';

const TOKEN = 'EAAA-e2e-square';
const SIGNATURE_KEY = 'e2e-square-signature-key';
const WEBHOOK_PATH = 'hotel-square-payments/square';

let n8n: N8n;
let peer: SquarePeer;
let smtp: SmtpPeer;
let database: TestDatabase;
let db: Db;
let sql: Client;
let workflowId: string;

jest.setTimeout(300_000);

beforeAll(async () => {
	database = await createTestDatabase('e2e_square');
	db = await getStore(database.config);
	await insertBareReservations(db, ['R-SQ-E2E-CONC', 'R-SQ-FORGED']);
	sql = new Client(database.config);
	await sql.connect();
	await seedGuestHotel(db);
	peer = await startSquarePeer({ accessToken: TOKEN });
	smtp = await startSmtpPeer();
	n8n = await startN8n();
	const ids: Record<string, string> = {};
	ids[POSTGRES_CREDENTIAL_NAME] = await createPostgresCredential(n8n, database);
	ids['Hotel Square'] = (await n8n.api.createCredential({
		name: 'Hotel Square',
		type: 'hotelSquareApi',
		data: { accessToken: TOKEN, environment: 'custom', baseUrl: peer.url, locationId: peer.locationId, webhookSecret: SIGNATURE_KEY, webhookNotificationUrl: n8n.webhookUrl(WEBHOOK_PATH) },
	})).id;
	ids['Hotel SMTP'] = await createSmtpCredential(n8n, smtp);
	ids['Hotel Details'] = await createHotelDetailsCredential(n8n);
	({ id: workflowId } = await n8n.api.importWorkflowFile(writeTempWorkflow(usePostgres(shippedWorkflow('payment-webhook-square.json'))), ids));
	await n8n.api.importWorkflowFile(writeTempWorkflow(notificationsWithoutCalendar(usePostgres(shippedWorkflow('guest-notifications.json')))), ids);
	await n8n.api.waitForWebhook(WEBHOOK_PATH, 'POST');
	peer.setWebhook(n8n.webhookUrl(WEBHOOK_PATH), SIGNATURE_KEY);
	await waitFor(async () => (await db.query('SELECT 1 FROM hotel_event_cursors')).rows.length >= 1, 60_000, 'the event trigger to start reading');
});

afterAll(async () => {
	await n8n?.stop();
	await peer?.stop();
	await smtp?.stop();
	await closeTestDatabase(database, sql);
});

const billing = (reservationId: string) => readBilling(sql, reservationId);

async function executionsFor(eventId: string) {
	const all = await n8n.api.listExecutions({ workflowId, includeData: true });
	return all.filter((e) => JSON.stringify(e.data?.resultData.runData['Square Payment Events'] ?? '').includes(`"${eventId}"`));
}

async function deliver(body: string, signature: string): Promise<number> {
	const res = await fetch(n8n.webhookUrl(WEBHOOK_PATH), { method: 'POST', headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': signature }, body });
	await res.arrayBuffer();
	return res.status;
}

it('a Square payment marks the reservation paid in one execution, a partial refund is counted and e-mailed once, and the guest gets both e-mails', async () => {
	const reservation = await new HotelService(db).create({ roomType: 'DBL', ratePlan: 'BAR', arrival: day(10), departure: day(12), adults: 2, guest: { name: 'Zoë Square', email: 'zoe@guest.example' } });
	const payment = peer.takeAtFrontDesk({ reservationId: reservation.id, amount: 20000, currency: 'EUR' });
	const created = await waitFor(() => peer.events.find((e) => e.type === 'payment.created' && e.data.id === payment.id));
	const [execution] = await waitFor(async () => {
		const found = await executionsFor(created.event_id);
		return found.length > 0 && found.every((e) => e.finished) ? found : undefined;
	});
	expect(execution.status).toBe('success');
	expect(nodeOutput(execution, 'Square Payment Events', 0)).toEqual([expect.objectContaining({ gateway: 'square', outcome: 'succeeded' })]);
	expect(nodeOutput(execution, 'Mark Reservation Paid', 0)[0]).toMatchObject({ applied: true, billing: { status: 'paid', amountPaid: 20000 } });

	// A partial refund through Square's API: refund.created (pending), refund.updated and payment.updated (completed).
	const res = await fetch(`${peer.url}/v2/refunds`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
		body: JSON.stringify({ idempotency_key: 'e2e-refund-1', payment_id: payment.id, amount_money: { amount: 5000, currency: 'EUR' }, reason: 'Early departure' }),
	});
	expect(res.status).toBe(200);
	await waitFor(async () => (await billing(reservation.id))?.amount_refunded === 5000 || undefined);
	// Every event the peer sent (payment.created, refund.created, refund.updated, payment.updated) answered 200 in the end.
	const answered = () => peer.events.every((e) => peer.deliveries.some((d) => d.eventId === e.event_id && d.status === 200));
	await waitFor(() => answered() || undefined, 60_000, 'every delivery to be answered 200').catch((error: Error) => {
		const types = new Map(peer.events.map((e) => [e.event_id, e.type]));
		throw new Error(`${error.message}; deliveries: ${JSON.stringify(peer.deliveries.map((d) => [types.get(d.eventId), d.status]))}; n8n said:\n${n8n.logs().slice(-30).join('\n')}`);
	});
	await sleep(1_000);
	expect(await billing(reservation.id)).toMatchObject({ status: 'partially_refunded', amount_paid: 20000, amount_refunded: 5000 });

	const mails = await smtp.waitForMessages(3, 150_000);
	await sleep(2_000); // nothing more comes
	const summary = smtp.messages.map((m) => `${m.to.join()} | ${m.subject}`).sort();
	expect(summary).toEqual([
		`zoe@guest.example | Payment received for reservation ${reservation.id} – Hotel Example`,
		`zoe@guest.example | Refund for reservation ${reservation.id} – Hotel Example`,
		`zoe@guest.example | Your reservation ${reservation.id} at Hotel Example is confirmed`,
	]);
	expect(mails.find((m) => /^Refund/.test(m.subject))!.text).toContain('We have refunded 50.00 EUR of your payment of 200.00 EUR');
});

it('starts one execution for 20 concurrent first deliveries of one Square event, and a late redelivery is a duplicate', async () => {
	const payment = { id: 'sq-e2e-conc', status: 'COMPLETED', amount_money: { amount: 15000, currency: 'EUR' }, total_money: { amount: 15000, currency: 'EUR' }, reference_id: 'R-SQ-E2E-CONC' };
	const body = JSON.stringify({ merchant_id: 'M', type: 'payment.updated', event_id: 'sq-e2e-concurrent', created_at: new Date().toISOString(), data: { type: 'payment', id: payment.id, object: { payment } } });
	const statuses = await Promise.all(Array.from({ length: 20 }, () => deliver(body, peer.signPayload(body))));
	expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
	expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
	await sleep(1_500);
	expect(await deliver(body, peer.signPayload(body))).toBe(200);
	const runs = await executionsFor('sq-e2e-concurrent');
	expect(runs).toHaveLength(1);
	expect(runs[0].status).toBe('success');
	expect(await billing('R-SQ-E2E-CONC')).toMatchObject({ status: 'paid', amount_paid: 15000 });
});

it('answers a forged signature, a signature for another notification URL and a missing one with 401/400, starting nothing', async () => {
	const body = JSON.stringify({ merchant_id: 'M', type: 'payment.updated', event_id: 'sq-e2e-forged', created_at: new Date().toISOString(), data: { type: 'payment', id: 'p-forged', object: { payment: { id: 'p-forged', status: 'COMPLETED', amount_money: { amount: 100, currency: 'EUR' }, reference_id: 'R-SQ-FORGED' } } } });
	expect(await deliver(body, peer.signPayload(body, { signatureKey: 'attacker' }))).toBe(401);
	expect(await deliver(body, peer.signPayload(body, { notificationUrl: 'https://elsewhere.example/webhook/square' }))).toBe(401);
	expect(await deliver(body, '')).toBe(400);
	expect(await deliver('{"event_id": "x", "type": "payment.updated", "data": {"object": {"payment": {}}}, "pad": "' + 'x'.repeat(40) + '"}', 'not-base64')).toBe(400);
	await sleep(1_000);
	expect(await executionsFor('sq-e2e-forged')).toHaveLength(0);
	expect(await billing('R-SQ-FORGED')).toBeUndefined();
});

it("the Hotel Square API credential's Test reads the location: OK with the right token, an error with a wrong one", async () => {
	const test = async (data: Record<string, unknown>) => (await pressCredentialTest(n8n, { name: 'T', type: 'hotelSquareApi', data })).status;
	const data = { accessToken: TOKEN, environment: 'custom', baseUrl: peer.url, locationId: peer.locationId, webhookSecret: 'k', webhookNotificationUrl: 'https://x.example' };
	expect(await test(data)).toBe('OK');
	expect(await test({ ...data, accessToken: 'wrong' })).toBe('Error');
	expect(await test({ ...data, locationId: 'L-NOPE' })).toBe('Error');
});
