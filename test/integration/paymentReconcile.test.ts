/**
 * Reconciling the ledger with the gateways (lib/payments/reconcile.ts) against the local Stripe and
 * Square peers, with every webhook lost: the gateway's record of the last days brings billing to
 * what the gateway knows, each change once; a second run changes nothing; a payment that names no
 * reservation is reported, never applied; Stripe's list is read page by page.
 */
import Stripe from 'stripe';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { reconcileSquare, reconcileStripe } from '../../lib/payments/reconcile';
import { SquareGateway, squareConnectionFrom } from '../../lib/payments/squareGateway';
import { StripeGateway } from '../../lib/payments/stripeGateway';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore } from '../../lib/store/db';
import { startSquarePeer, type SquarePeer } from '../peers/squarePeer';
import { startStripePeer, type StripePeer } from '../peers/stripePeer';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { insertBareReservations } from '../support/reservationRows';

let database: TestDatabase;
let ledger: BillingLedger;
let stripePeer: StripePeer;
let squarePeer: SquarePeer;
let stripe: StripeGateway;
let square: SquareGateway;
let stripeApi: Stripe;

beforeAll(async () => {
	database = await createTestDatabase('reconcile');
	ledger = new BillingLedger(await getStore(database.config));
	const pages = Array.from({ length: 105 }, (_, n) => `R-REC-PAGE-${n}`);
	await insertBareReservations(await getStore(database.config), ['R-REC-1', 'R-REC-2', 'R-REC-SQ', ...pages]);
	stripePeer = await startStripePeer({ secretKey: 'sk_test_reconcile' });
	squarePeer = await startSquarePeer({ accessToken: 'EAAA-reconcile' });
	stripe = new StripeGateway({ secretKey: 'sk_test_reconcile', baseUrl: stripePeer.url });
	square = new SquareGateway(squareConnectionFrom({ accessToken: 'EAAA-reconcile', environment: 'custom', baseUrl: squarePeer.url, locationId: squarePeer.locationId }));
	stripeApi = new Stripe('sk_test_reconcile', { host: '127.0.0.1', port: stripePeer.port, protocol: 'http', maxNetworkRetries: 0 });
});
afterAll(async () => {
	await stripePeer.stop();
	await squarePeer.stop();
	await closeAllStores();
	await database.drop();
});
beforeEach(() => resetPartnerPolicies());

const pay = async (reservationId: string | undefined, amount = 20000) => {
	const pi = await stripeApi.paymentIntents.create({ amount, currency: 'eur', ...(reservationId ? { metadata: { reservation_id: reservationId } } : {}) });
	return stripeApi.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
};

it('Stripe: applies the payments and refunds the ledger missed, once; a second run changes nothing; a payment naming no reservation is held, and matched once its reservation appears', async () => {
	const paid = await pay('R-REC-1');
	await pay('R-REC-2');
	await stripeApi.refunds.create({ payment_intent: paid.id, amount: 5000 });
	const stray = await pay(undefined, 999);
	const early = await pay('R-REC-LATE', 4000);

	const first = await reconcileStripe(stripe, ledger, 3);
	expect(first.gateway).toBe('stripe');
	expect(first.applied.map((a) => [a.type, a.reservationId]).sort()).toEqual([
		['charge.refunded', 'R-REC-1'],
		['payment_intent.succeeded', 'R-REC-1'],
		['payment_intent.succeeded', 'R-REC-2'],
	]);
	expect(first.unmatched.map((u) => [u.paymentId, u.namedReservationId]).sort()).toEqual([[early.id, 'R-REC-LATE'], [stray.id, null]].sort());
	expect(await ledger.billingOf('R-REC-LATE')).toMatchObject({ status: 'unpaid', amountPaid: 0 });
	expect(await ledger.billingOf('R-REC-1')).toMatchObject({ status: 'partially_refunded', amountPaid: 20000, amountRefunded: 5000 });
	expect(await ledger.billingOf('R-REC-2')).toMatchObject({ status: 'paid' });

	// The reservation the early payment named arrives (say, a channel's pull that came late).
	await insertBareReservations(await getStore(database.config), ['R-REC-LATE']);
	const again = await reconcileStripe(stripe, ledger, 3);
	expect(again.matched).toEqual([{ paymentId: early.id, reservationId: 'R-REC-LATE' }]);
	expect(await ledger.billingOf('R-REC-LATE')).toMatchObject({ status: 'paid', amountPaid: 4000 });
	expect(again.applied).toEqual([]);
	expect(again.unchanged).toBe(4);
	expect(again.unmatched.map((u) => u.paymentId)).toEqual([stray.id]);
	// Nothing happened twice: one event per transition in the hotel's feed.
	const feed = await (await getStore(database.config)).query<{ name: string; n: number }>(
		"SELECT event AS name, count(*)::int AS n FROM hotel_events WHERE reservation_id = 'R-REC-1' GROUP BY event ORDER BY event",
	);
	expect(feed.rows).toEqual([{ name: 'payment.refunded', n: 1 }, { name: 'payment.succeeded', n: 1 }]);
});

it("Stripe: reads every page of the gateway's list, and only the window asked for", async () => {
	for (let n = 0; n < 105; n++) await pay(`R-REC-PAGE-${n}`, 100);
	const report = await reconcileStripe(stripe, ledger, 1);
	expect(report.applied.filter((a) => a.reservationId.startsWith('R-REC-PAGE-'))).toHaveLength(105);
	expect(stripePeer.requests.filter((r) => r.path === '/v1/events').length).toBeGreaterThanOrEqual(2);
	const future = await reconcileStripe(stripe, ledger, 1, Date.now() + 2 * 86_400_000);
	expect(future.read).toBe(0);
});

it('Square: applies payments and refunds the ledger missed, refunds counted once, whatever was already applied', async () => {
	squarePeer.loseWebhooks(Infinity);
	const payment = squarePeer.takeAtFrontDesk({ reservationId: 'R-REC-SQ', amount: 30000, currency: 'EUR' });
	await square.refund({ paymentId: String(payment.id), amount: 10000, reference: 'r1' });
	await new Promise((resolve) => setTimeout(resolve, 60)); // the peer completes refunds a moment later
	const first = await reconcileSquare(square, ledger, 3);
	// The payment, read after its refund, already reports the refunded total; the refund then adds nothing.
	expect(first.applied.map((a) => a.type)).toEqual(['payment.updated']);
	expect(first.unchanged).toBe(1);
	expect(await ledger.billingOf('R-REC-SQ')).toMatchObject({ status: 'partially_refunded', amountPaid: 30000, amountRefunded: 10000 });
	const again = await reconcileSquare(square, ledger, 3);
	expect(again.applied).toEqual([]);
	expect(await ledger.billingOf('R-REC-SQ')).toMatchObject({ amountRefunded: 10000 });
});
