import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BillingLedger, isUnmatched, type Applied, type Unmatched } from '../../lib/payments/billingLedger';
import { classifyStripeEvent } from '../../lib/payments/paymentEvents';
import type { StripeEvent } from '../../lib/payments/stripeSignature';
import { classifySquareEvent } from '../../lib/payments/squareEvents';
import type { SquareEvent } from '../../lib/payments/squareSignature';
import { paymentCompleted, paymentRefundedSince, refund } from '../fixtures/square/events';
import { closeAllStores, getStore, type StoreConfig } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { insertBareReservations } from '../support/reservationRows';
import type { Db } from '../../lib/store/db';

const pi = (id: string, reservation: string, extra: Record<string, unknown> = {}) => ({
	id,
	object: 'payment_intent',
	amount: 20000,
	amount_received: 20000,
	currency: 'eur',
	metadata: { reservation_id: reservation },
	...extra,
});
const event = (id: string, type: string, object: Record<string, unknown>): StripeEvent => ({ id, type, data: { object } });
const succeeded = (piId: string, r: string) => event(`evt_s_${piId}`, 'payment_intent.succeeded', pi(piId, r));
const failed = (piId: string, r: string) =>
	event(`evt_f_${piId}`, 'payment_intent.payment_failed', pi(piId, r, { amount_received: 0, last_payment_error: { message: 'Your card was declined.' } }));
const refunded = (piId: string, r: string, amountRefunded: number) =>
	event(`evt_r_${piId}_${amountRefunded}`, 'charge.refunded', {
		id: `ch_${piId}`,
		object: 'charge',
		payment_intent: piId,
		amount: 20000,
		amount_captured: 20000,
		amount_refunded: amountRefunded,
		currency: 'eur',
		metadata: { reservation_id: r },
	});

let database: TestDatabase;
let embeddedDir: string;
const configs: Record<string, () => StoreConfig> = {
	postgres: () => database.config,
	embedded: () => ({ kind: 'embedded', dir: embeddedDir }),
};

beforeAll(async () => {
	database = await createTestDatabase('billing');
	embeddedDir = mkdtempSync(path.join(tmpdir(), 'hotel-pglite-'));
});
afterAll(async () => {
	await closeAllStores();
	await database.drop();
	rmSync(embeddedDir, { recursive: true, force: true });
});

describe.each(Object.keys(configs))('billing ledger on %s', (kind) => {
	let ledger: BillingLedger;
	let db: Db;
	const billed = (result: Applied | Unmatched): Applied => {
		if (isUnmatched(result)) throw new Error(`held as unmatched: ${result.unmatched.paymentId}`);
		return result;
	};
	const apply = async (e: StripeEvent) => billed(await ledger.apply(classifyStripeEvent(e).change!));
	beforeAll(async () => {
		db = await getStore(configs[kind]());
		ledger = new BillingLedger(db);
		await insertBareReservations(
			db,
			['flow', 'order', 'concurrent', 'cash', 'mixed'].map((name) => `R-${kind}-${name}`).concat("R-'; DROP TABLE payments;-- Zoë 😀"),
		);
	});

	it('goes unpaid → failed → paid → partially refunded → refunded', async () => {
		const r = `R-${kind}-flow`;
		expect((await ledger.billingOf(r)).status).toBe('unpaid');
		expect(await apply(failed('pi_a', r))).toMatchObject({ status: 'failed', changed: true });
		expect((await apply(succeeded('pi_a', r)))!.status).toBe('paid');
		expect((await apply(refunded('pi_a', r, 5000)))!).toMatchObject({ status: 'partially_refunded', amountPaid: 20000, amountRefunded: 5000 });
		expect((await apply(refunded('pi_a', r, 20000)))!.status).toBe('refunded');
		// Each of those changed the payment; the same event again (a redelivery) does not.
		expect((await apply(refunded('pi_a', r, 20000))).changed).toBe(false);
		expect((await apply(succeeded('pi_a', r))).changed).toBe(false);
	});

	it('ends in the same state whatever order and however often events arrive', async () => {
		const r = `R-${kind}-order`;
		const events = [refunded('pi_b', r, 5000), succeeded('pi_b', r), failed('pi_b', r), refunded('pi_b', r, 5000), succeeded('pi_b', r)];
		for (const e of events) await apply(e);
		expect(await ledger.billingOf(r)).toMatchObject({ status: 'partially_refunded', amountPaid: 20000, amountRefunded: 5000 });
		const payments = await ledger.paymentsOf(r);
		expect(payments).toHaveLength(1);
		expect(payments[0]).toMatchObject({ status: 'succeeded', amountReceived: 20000 });
	});

	it('serializes concurrent events of one reservation without losing any', async () => {
		const r = `R-${kind}-concurrent`;
		await Promise.all([
			apply(succeeded('pi_c1', r)),
			apply(succeeded('pi_c2', r)),
			apply(refunded('pi_c1', r, 3000)),
			apply(succeeded('pi_c1', r)),
			ledger.recordOfflinePayment({ reservationId: r, method: 'cash', currency: 'eur', amount: 1000, reference: 'till-1' }),
		]);
		expect(await ledger.billingOf(r)).toMatchObject({ status: 'partially_refunded', amountPaid: 41000, amountRefunded: 3000 });
	});

	it('records an offline payment once per reference', async () => {
		const r = `R-${kind}-cash`;
		for (let n = 0; n < 3; n++) await ledger.recordOfflinePayment({ reservationId: r, method: 'cash', currency: 'EUR', amount: 5000, reference: 'till 0815' });
		expect(await ledger.billingOf(r)).toMatchObject({ status: 'paid', amountPaid: 5000, currency: 'eur' });
	});

	it('stores SQL metacharacters and Unicode in ids as data', async () => {
		const r = "R-'; DROP TABLE payments;-- Zoë 😀";
		await apply(succeeded('pi_weird', r));
		expect((await ledger.billingOf(r)).status).toBe('paid');
		expect((await ledger.paymentsOf(r))[0].reservationId).toBe(r);
	});

	it('keeps Square and Stripe payments of one reservation apart and sums them; Square refunds count once each, in any order', async () => {
		const r = `R-${kind}-mixed`;
		const square = (e: object) => ledger.apply(classifySquareEvent(e as SquareEvent).change!);
		const withReservation = (e: typeof paymentCompleted) => ({ ...e, data: { ...e.data, object: { payment: { ...e.data.object.payment, id: `${kind}-sq`, reference_id: r } } } });
		const squareRefund = (status: string, id: string, amount: number) => {
			const e = refund(status, id, amount);
			return { ...e, data: { ...e.data, object: { refund: { ...e.data.object.refund, payment_id: `${kind}-sq` } } } };
		};
		// A Stripe payment intent whose id is the Square payment's own id: both are kept.
		await apply(succeeded(`${kind}-sq`, r));
		// A refund before its payment is known: held, then merged when the payment arrives.
		expect(await square(squareRefund('COMPLETED', `${kind}-rf1`, 3000))).toMatchObject({ unmatched: { paymentId: `square:${kind}-sq`, namedReservationId: null } });
		await square(withReservation(paymentCompleted));
		await square(squareRefund('COMPLETED', `${kind}-rf2`, 2000));
		await square(squareRefund('COMPLETED', `${kind}-rf1`, 3000));
		await square(squareRefund('COMPLETED', `${kind}-rf2`, 2000)); // redelivered
		expect(await ledger.billingOf(r)).toMatchObject({ status: 'partially_refunded', amountPaid: 20000 + 25000, amountRefunded: 5000 });
		// Square's payment.updated with the running total agrees (and a smaller, older total changes nothing).
		await square({ ...withReservation(paymentRefundedSince), data: { ...withReservation(paymentRefundedSince).data, object: { payment: { ...withReservation(paymentRefundedSince).data.object.payment, refunded_money: { amount: 3000, currency: 'EUR' } } } } });
		const payments = await ledger.paymentsOf(r);
		expect(payments.map((p) => [p.id, p.method, p.amount, p.amountReceived, p.amountRefunded]).sort()).toEqual([
			[`${kind}-sq`, 'stripe', 20000, 20000, 0],
			[`square:${kind}-sq`, 'square', 24000, 25000, 5000],
		]);
	});

	it('holds a payment naming no reservation of the store instead of inventing one, once however often it is reported', async () => {
		const r = `R-${kind}-later`;
		const before = await db.query('SELECT count(*)::int AS n FROM payments');
		for (let n = 0; n < 3; n++) {
			const held = await ledger.apply(classifyStripeEvent(succeeded(`pi_${kind}_later`, r)).change!, undefined, undefined, `evt_s_pi_${kind}_later`);
			expect(held).toMatchObject({ unmatched: { paymentId: `pi_${kind}_later`, namedReservationId: r, status: 'succeeded', amount: 20000, matchedAt: null } });
		}
		const foreign = event(`evt_x_${kind}`, 'payment_intent.succeeded', { ...pi(`pi_${kind}_foreign`, ''), metadata: {} });
		expect(await ledger.apply(classifyStripeEvent(foreign).change!)).toMatchObject({ unmatched: { namedReservationId: null } });
		// Nothing was written to billing, for an invented reservation or any other.
		expect((await db.query('SELECT count(*)::int AS n FROM payments')).rows[0].n).toBe(before.rows[0].n);
		expect((await db.query('SELECT count(*)::int AS n FROM reservation_billing WHERE reservation_id = $1', [r])).rows[0].n).toBe(0);
		const open = (await ledger.listUnmatched()).filter((p) => p.paymentId.includes(kind));
		expect(open.map((p) => [p.paymentId, p.eventIds])).toEqual([
			[`pi_${kind}_later`, [`evt_s_pi_${kind}_later`]],
			[`pi_${kind}_foreign`, []],
		]);

		// The reservation appears (a channel's reservation pulled late): the next run matches the payment, once.
		await insertBareReservations(db, [r]);
		const matched = await ledger.matchWaiting();
		expect(matched.map((m) => [m.payment.paymentId, m.payment.matchedBy, m.billing.status])).toEqual([[`pi_${kind}_later`, 'reservation appeared', 'paid']]);
		expect(await ledger.matchWaiting()).toEqual([]);
		expect(await ledger.billingOf(r)).toMatchObject({ status: 'paid', amountPaid: 20000 });

		// The foreign one is matched by hand, to a reservation that exists; a made-up one is refused.
		await expect(ledger.matchPayment(`pi_${kind}_foreign`, 'R-NOWHERE')).rejects.toThrow(/not in the hotel's store/);
		const cash = `R-${kind}-cash`;
		const byHand = await ledger.matchPayment(`pi_${kind}_foreign`, cash);
		expect(byHand.payment).toMatchObject({ matchedReservationId: cash, matchedBy: 'hand' });
		await expect(ledger.matchPayment(`pi_${kind}_foreign`, cash)).rejects.toThrow(/already matched/);
		expect((await ledger.listUnmatched()).filter((p) => p.paymentId.includes(kind))).toEqual([]);
		expect((await ledger.listUnmatched({ includeMatched: true })).filter((p) => p.paymentId.includes(kind)).map((p) => p.matchedBy)).toEqual(['payment appeared', 'reservation appeared', 'hand']);
		// Later deliveries of it go to that reservation like any payment of the ledger.
		expect(await apply(foreign)).toMatchObject({ reservationId: cash });
	});

	it('holds every change of an unmatched payment once, even when they arrive at the same time, and a match merges them all', async () => {
		const r = `R-${kind}-racing`;
		const piId = `pi_${kind}_racing`;
		const failedChange = classifyStripeEvent(failed(piId, r)).change!;
		const succeededChange = classifyStripeEvent(succeeded(piId, r)).change!;
		await Promise.all([
			ledger.apply(failedChange, undefined, undefined, 'evt_f'),
			ledger.apply(succeededChange, undefined, undefined, 'evt_s'),
			ledger.apply(failedChange, undefined, undefined, 'evt_f'),
			ledger.apply(succeededChange, undefined, undefined, 'evt_s'),
		]);
		const row = (await db.query<{ n: number; events: string[]; status: string }>('SELECT jsonb_array_length(changes) AS n, event_ids AS events, status FROM unmatched_payments WHERE payment_id = $1', [piId])).rows[0];
		expect({ ...row, events: [...row.events].sort() }).toEqual({ n: 2, events: ['evt_f', 'evt_s'], status: 'succeeded' });
		await insertBareReservations(db, [r]);
		// A hand match racing a redelivery: whichever comes second finds the payment placed (the match then says so).
		const [match] = await Promise.allSettled([ledger.matchPayment(piId, r), ledger.apply(succeededChange)]);
		if (match.status === 'rejected') expect(String(match.reason)).toMatch(/already matched/);
		expect(await ledger.billingOf(r)).toMatchObject({ status: 'paid', amountPaid: 20000 });
		expect(await ledger.paymentsOf(r)).toEqual([expect.objectContaining({ id: piId, status: 'succeeded', amountReceived: 20000 })]);
	});

	it('refuses an offline payment for a reservation the store does not have', async () => {
		await expect(ledger.recordOfflinePayment({ reservationId: `R-${kind}-typo`, method: 'cash', currency: 'EUR', amount: 100, reference: 'x' })).rejects.toThrow(
			/is not in the hotel's store/,
		);
	});
});
