/**
 * Payments and refunds through Square: a payment taken at once or authorised (Delayed Capture),
 * then completed (the Capture operation) or cancelled, and refunds in full or in part. Square has
 * no separate confirm step and no partial capture, so those are not offered for it.
 */
import type { IDataObject } from 'n8n-workflow';
import { reconcileSquare } from '../../lib/payments/reconcile';
import { ledgerStatusOf, type SquarePaymentView } from '../../lib/payments/squareGateway';
import type { Action, ActionContext } from './actions';
import { num, str } from '../shared/parameters';

/** Keeps the ledger in step with what Square just told us about a payment. */
async function record(ctx: ActionContext, payment: SquarePaymentView, reference?: string): Promise<IDataObject> {
	const billing = payment.reservationId
		? await (await ctx.ledger()).apply(
				{
					paymentId: payment.ledgerId,
					gateway: 'square',
					reservationId: payment.reservationId,
					currency: payment.currency,
					amount: payment.amount,
					amountReceived: payment.amountReceived,
					amountRefunded: payment.amountRefunded,
					status: ledgerStatusOf(payment.squareStatus),
					error: payment.lastError,
				},
				'square',
				reference,
			)
		: undefined;
	return { ...payment, billing: billing as unknown as IDataObject } as IDataObject;
}

export const squareActions: Record<string, Action> = {
	async 'paymentIntent.create'(ctx) {
		const extra = ctx.fn.getNodeParameter('additionalFields', ctx.i, {}) as IDataObject;
		const reference = str(ctx, 'paymentReference', 'full') || 'full';
		// A payment for a reservation the hotel does not have would be money nobody can match.
		await (await ctx.ledger()).requireReservation(str(ctx, 'reservationId'));
		const payment = await (await ctx.square()).createPayment({
			reservationId: str(ctx, 'reservationId'),
			amount: num(ctx, 'amount'),
			currency: str(ctx, 'currency'),
			sourceId: str(ctx, 'sourceId'),
			reference,
			delayedCapture: Boolean(extra.delayedCapture),
			note: (extra.note as string) || undefined,
			buyerEmail: (extra.buyerEmail as string) || undefined,
			locationId: (extra.locationId as string) || undefined,
		});
		return record(ctx, payment, reference);
	},

	async 'paymentIntent.get'(ctx) {
		return (await (await ctx.square()).getPayment(str(ctx, 'paymentIntentId'))) as unknown as IDataObject;
	},

	async 'paymentIntent.capture'(ctx) {
		return record(ctx, await (await ctx.square()).complete(str(ctx, 'paymentIntentId')));
	},

	async 'paymentIntent.cancel'(ctx) {
		return record(ctx, await (await ctx.square()).cancel(str(ctx, 'paymentIntentId')));
	},

	async 'refund.create'(ctx) {
		const amount = num(ctx, 'amount');
		const refund = await (await ctx.square()).refund({
			paymentId: str(ctx, 'paymentIntentId'),
			amount: amount > 0 ? amount : undefined,
			reason: str(ctx, 'reason') || undefined,
			reference: str(ctx, 'refundReference') || undefined,
		});
		// A refund completes later; the ledger counts it when Square reports it (refund.updated).
		return { ...refund } as IDataObject;
	},

	async 'paymentIntent.reconcile'(ctx) {
		return (await reconcileSquare(await ctx.square(), await ctx.ledger(), num(ctx, 'days') || 3)) as unknown as IDataObject;
	},
};
