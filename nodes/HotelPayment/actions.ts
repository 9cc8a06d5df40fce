/**
 * What each operation of the Hotel Payment node does, one function per resource and operation.
 * Every Stripe write goes through StripeGateway (idempotency key + retry policy); every result that
 * changes money is merged into the hotel's billing ledger, so billing is right even before (or
 * without) the webhook arrives.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { BillingLedger } from '../../lib/payments/billingLedger';
import { classifyStripeEvent } from '../../lib/payments/paymentEvents';
import { StripeGateway, stripeConnectionFrom, type PaymentIntentView } from '../../lib/payments/stripeGateway';
import type { StripeEvent } from '../../lib/payments/stripeSignature';
import { hotelStore } from '../shared/hotelStore';
import { itemParameter } from '../shared/itemParameter';

export const DEFAULT_EVENT_EXPRESSION = '={{ $json.event }}';

export interface ActionContext {
	fn: IExecuteFunctions;
	i: number;
	stripe: () => Promise<StripeGateway>;
	ledger: () => Promise<BillingLedger>;
}

type Action = (ctx: ActionContext) => Promise<IDataObject>;

const str = (ctx: ActionContext, name: string, fallback = '') => String(ctx.fn.getNodeParameter(name, ctx.i, fallback) ?? '').trim();
const num = (ctx: ActionContext, name: string) => Number(ctx.fn.getNodeParameter(name, ctx.i, 0));

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

export const actions: Record<string, Action> = {
	async 'paymentIntent.create'(ctx) {
		const extra = ctx.fn.getNodeParameter('additionalFields', ctx.i, {}) as IDataObject;
		const reference = str(ctx, 'paymentReference', 'full') || 'full';
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

	async 'billing.recordOffline'(ctx) {
		const ledger = await ctx.ledger();
		const billing = await ledger.recordOfflinePayment({
			reservationId: str(ctx, 'reservationId'),
			method: str(ctx, 'method', 'cash'),
			amount: num(ctx, 'amount'),
			currency: str(ctx, 'currency'),
			reference: str(ctx, 'reference'),
		});
		return billing as unknown as IDataObject;
	},

	async 'billing.applyEvent'(ctx) {
		// Left at its default, read from the item without an expression sandbox (itemParameter.ts).
		const raw = itemParameter(ctx.fn, 'event', ctx.i);
		const event = (typeof raw === 'string' ? JSON.parse(raw) : raw) as StripeEvent;
		if (!event || typeof event !== 'object' || !event.id || !event.type || !event.data?.object) {
			throw new Error('The Event parameter is not a Stripe event (it needs id, type and data.object).');
		}
		const classified = classifyStripeEvent(event);
		if (!classified.change) return { eventId: event.id, type: event.type, applied: false, reason: 'This event type does not change billing.' };
		const billing = await (await ctx.ledger()).apply(classified.change);
		if (!billing) {
			return {
				eventId: event.id,
				type: event.type,
				applied: false,
				reason: `Payment ${classified.change.paymentId} has no reservation_id in its metadata and is not one the hotel created.`,
			};
		}
		return { eventId: event.id, type: event.type, outcome: classified.outcome, applied: true, billing: billing as unknown as IDataObject };
	},

	async 'billing.getStatus'(ctx) {
		const ledger = await ctx.ledger();
		const reservationId = str(ctx, 'reservationId');
		return { ...(await ledger.billingOf(reservationId)), payments: (await ledger.paymentsOf(reservationId)) as unknown as IDataObject[] };
	},
};

export async function stripeFor(fn: IExecuteFunctions): Promise<StripeGateway> {
	const c = await fn.getCredentials('hotelStripeApi');
	return new StripeGateway(stripeConnectionFrom(c));
}

export async function ledgerFor(fn: IExecuteFunctions): Promise<BillingLedger> {
	return new BillingLedger(await hotelStore(fn));
}
