import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { classifyStripeEvent } from '../../lib/payments/paymentEvents';
import type { StripeEvent } from '../../lib/payments/stripeSignature';
import { classifySquareEvent } from '../../lib/payments/squareEvents';
import type { SquareEvent } from '../../lib/payments/squareSignature';
import { paymentCompleted, paymentRefundedSince, refund } from '../fixtures/square/events';
import { closeAllStores, getStore, type StoreConfig } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';

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
	const apply = (e: StripeEvent) => ledger.apply(classifyStripeEvent(e).change!);
	beforeAll(async () => {
		ledger = new BillingLedger(await getStore(configs[kind]()));
	});

	it('goes unpaid → failed → paid → partially refunded → refunded', async () => {
		const r = `R-${kind}-flow`;
		expect((await ledger.billingOf(r)).status).toBe('unpaid');
		expect((await apply(failed('pi_a', r)))!.status).toBe('failed');
		expect((await apply(succeeded('pi_a', r)))!.status).toBe('paid');
		expect((await apply(refunded('pi_a', r, 5000)))!).toMatchObject({ status: 'partially_refunded', amountPaid: 20000, amountRefunded: 5000 });
		expect((await apply(refunded('pi_a', r, 20000)))!.status).toBe('refunded');
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
		expect(await square(squareRefund('COMPLETED', `${kind}-rf1`, 3000))).toBeUndefined(); // a refund before its payment is known: nothing to attach to
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

	it('ignores a payment that names no reservation and is unknown', async () => {
		const e = event('evt_x', 'payment_intent.succeeded', { ...pi('pi_foreign', ''), metadata: {} });
		expect(await apply(e)).toBeUndefined();
	});
});
