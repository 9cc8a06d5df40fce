/**
 * Payments and refunds through Stripe: payment intents (create, get, confirm, capture, cancel) and
 * refunds, each written with an idempotency key by StripeGateway and merged into the ledger.
 */
import type { IDataObject } from 'n8n-workflow';
import { reconcileStripe } from '../../lib/payments/reconcile';
import type { PaymentIntentView } from '../../lib/payments/stripeGateway';
import type { Action, ActionContext } from './actions';
import { num, str } from '../shared/parameters';

/** Keeps the ledger in step with what Stripe just told us about an intent. */
async function record(ctx: ActionContext, pi: PaymentIntentView, reference?: string): Promise<IDataObject> {
	const ledger = await ctx.ledger();
	const billing = pi.reservationId
		? await ledger.apply(
				{
					paymentId: pi.id,
					reservationId: pi.reservationId,
					currency: pi.currency,
					amount: pi.amount,
					amountReceived: pi.amountReceived,
					status: pi.status,
					error: pi.lastError,
				},
				'stripe',
				reference,
			)
		: undefined;
	return { ...pi, billing: billing as unknown as IDataObject } as IDataObject;
}

export const stripeActions: Record<string, Action> = {
	async 'paymentIntent.create'(ctx) {
		const extra = ctx.fn.getNodeParameter('additionalFields', ctx.i, {}) as IDataObject;
		const reference = str(ctx, 'paymentReference', 'full') || 'full';
		// A payment for a reservation the hotel does not have would be money nobody can match.
		await (await ctx.ledger()).requireReservation(str(ctx, 'reservationId'));
		const pi = await (await ctx.stripe()).createPaymentIntent({
			reservationId: str(ctx, 'reservationId'),
			amount: num(ctx, 'amount'),
			currency: str(ctx, 'currency'),
			reference,
			captureMethod: (extra.captureMethod as 'automatic' | 'manual') ?? 'automatic',
			description: (extra.description as string) || undefined,
			receiptEmail: (extra.receiptEmail as string) || undefined,
			paymentMethod: (extra.paymentMethod as string) || undefined,
			confirm: Boolean(extra.confirm),
		});
		return record(ctx, pi, reference);
	},

	async 'paymentIntent.get'(ctx) {
		return (await (await ctx.stripe()).retrievePaymentIntent(str(ctx, 'paymentIntentId'))) as unknown as IDataObject;
	},

	async 'paymentIntent.confirm'(ctx) {
		return record(ctx, await (await ctx.stripe()).confirmPaymentIntent(str(ctx, 'paymentIntentId'), str(ctx, 'paymentMethod') || undefined));
	},

	async 'paymentIntent.capture'(ctx) {
		const amount = num(ctx, 'amountToCapture');
		return record(ctx, await (await ctx.stripe()).capturePaymentIntent(str(ctx, 'paymentIntentId'), amount > 0 ? amount : undefined));
	},

	async 'paymentIntent.cancel'(ctx) {
		const reason = str(ctx, 'cancellationReason') as 'abandoned' | 'duplicate' | 'fraudulent' | 'requested_by_customer' | '';
		return record(ctx, await (await ctx.stripe()).cancelPaymentIntent(str(ctx, 'paymentIntentId'), reason || undefined));
	},

	async 'refund.create'(ctx) {
		const amount = num(ctx, 'amount');
		const stripe = await ctx.stripe();
		const refund = await stripe.refund({
			paymentIntent: str(ctx, 'paymentIntentId'),
			amount: amount > 0 ? amount : undefined,
			reason: (str(ctx, 'reason') || undefined) as 'duplicate' | 'fraudulent' | 'requested_by_customer' | undefined,
			reference: str(ctx, 'refundReference') || undefined,
		});
		// The refund's own object has no running total: the ledger learns it from charge.refunded.
		return { ...refund } as IDataObject;
	},

	async 'paymentIntent.reconcile'(ctx) {
		return (await reconcileStripe(await ctx.stripe(), await ctx.ledger(), num(ctx, 'days') || 3)) as unknown as IDataObject;
	},
};
