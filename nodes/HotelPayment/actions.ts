/**
 * What each operation of the Hotel Payment node does: payments and refunds by gateway
 * (stripeActions.ts, squareActions.ts), billing here. Every write goes
 * through its gateway client (idempotency key + retry policy); every result that changes money is
 * merged into the hotel's billing ledger, so billing is right even before (or without) the webhook
 * arrives.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { BillingLedger, isUnmatched } from '../../lib/payments/billingLedger';
import { classifyStripeEvent } from '../../lib/payments/paymentEvents';
import { StripeGateway, stripeConnectionFrom } from '../../lib/payments/stripeGateway';
import { classifySquareEvent } from '../../lib/payments/squareEvents';
import { SquareGateway, squareConnectionFrom } from '../../lib/payments/squareGateway';
import type { SquareEvent } from '../../lib/payments/squareSignature';
import type { StripeEvent } from '../../lib/payments/stripeSignature';
import { hotelStore } from '../shared/hotelStore';
import { invalid } from '../../lib/errors';
import { jsonObject } from '../../lib/jsonObject';
import { num, param, str } from '../shared/parameters';
import { squareActions } from './squareActions';
import { stripeActions } from './stripeActions';

export const DEFAULT_EVENT_EXPRESSION = '={{ $json.event }}';

export interface ActionContext {
	fn: IExecuteFunctions;
	i: number;
	stripe: () => Promise<StripeGateway>;
	square: () => Promise<SquareGateway>;
	ledger: () => Promise<BillingLedger>;
}

export type Action = (ctx: ActionContext) => Promise<IDataObject>;

/** Payments and refunds go to the gateway the node names; absent in workflows saved before Square, it is Stripe. */
const byGateway =
	(stripe: Action, square: Action): Action =>
	(ctx) =>
		ctx.fn.getNodeParameter('gateway', ctx.i, 'stripe') === 'square' ? square(ctx) : stripe(ctx);

export const actions: Record<string, Action> = {
	'paymentIntent.create': byGateway(stripeActions['paymentIntent.create'], squareActions['paymentIntent.create']),
	'paymentIntent.get': byGateway(stripeActions['paymentIntent.get'], squareActions['paymentIntent.get']),
	// Stripe only: Square takes the payment source when the payment is created.
	'paymentIntent.confirm': stripeActions['paymentIntent.confirm'],
	'paymentIntent.capture': byGateway(stripeActions['paymentIntent.capture'], squareActions['paymentIntent.capture']),
	'paymentIntent.cancel': byGateway(stripeActions['paymentIntent.cancel'], squareActions['paymentIntent.cancel']),
	'paymentIntent.reconcile': byGateway(stripeActions['paymentIntent.reconcile'], squareActions['paymentIntent.reconcile']),
	'refund.create': byGateway(stripeActions['refund.create'], squareActions['refund.create']),

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
		const raw = param(ctx, 'event');
		const classified = classifyEvent(jsonObject(raw, 'event', { label: 'Event', expected: 'a Stripe or Square event object' }));
		const { eventId, type } = classified;
		if (!classified.change) return { eventId, type, applied: false, reason: 'This event type does not change billing.' };
		const billing = await (await ctx.ledger()).apply(classified.change, undefined, undefined, eventId);
		if (isUnmatched(billing)) {
			const named = billing.unmatched.namedReservationId;
			const field = classified.change.gateway === 'square' ? 'reference_id' : 'metadata.reservation_id';
			const reason = named
				? `Payment ${classified.change.paymentId} names reservation ${named} (${field}), which is not in the hotel's store.`
				: `Payment ${classified.change.paymentId} names no reservation (no ${field}) and is not one the hotel recorded.`;
			return { eventId, type, outcome: classified.outcome, applied: false, unmatched: true, reason, payment: billing.unmatched as unknown as IDataObject };
		}
		return { eventId, type, outcome: classified.outcome, applied: true, billing: billing as unknown as IDataObject };
	},

	async 'billing.listUnmatched'(ctx) {
		const includeMatched = ctx.fn.getNodeParameter('includeMatched', ctx.i, false) as boolean;
		const payments = await (await ctx.ledger()).listUnmatched({ includeMatched });
		return { count: payments.filter((p) => !p.matchedAt).length, payments: payments as unknown as IDataObject[] };
	},

	async 'billing.matchPayment'(ctx) {
		const { payment, billing } = await (await ctx.ledger()).matchPayment(str(ctx, 'paymentId'), str(ctx, 'reservationId'));
		return { ...payment, billing } as unknown as IDataObject;
	},

	async 'billing.getStatus'(ctx) {
		const ledger = await ctx.ledger();
		const reservationId = str(ctx, 'reservationId');
		return { ...(await ledger.billingOf(reservationId)), payments: (await ledger.paymentsOf(reservationId)) as unknown as IDataObject[] };
	},
};

/** A Stripe event has `id`, a Square event `event_id`; both a type and data.object. */
function classifyEvent(event: unknown) {
	const e = event as Partial<StripeEvent & SquareEvent> | null;
	if (!e || typeof e !== 'object' || !e.type || typeof e.data?.object !== 'object' || e.data.object === null) {
		throw invalid('event', 'The Event parameter is not a Stripe or Square event (it needs an id, a type and data.object).');
	}
	if (typeof e.event_id === 'string' && e.event_id) return classifySquareEvent(e as SquareEvent);
	if (typeof e.id === 'string' && e.id) return classifyStripeEvent(e as StripeEvent);
	throw invalid('event', 'The Event parameter has no event id (Stripe: id, Square: event_id).');
}

export async function stripeFor(fn: IExecuteFunctions): Promise<StripeGateway> {
	const c = await fn.getCredentials('hotelStripeApi');
	return new StripeGateway(stripeConnectionFrom(c));
}

export async function squareFor(fn: IExecuteFunctions): Promise<SquareGateway> {
	return new SquareGateway(squareConnectionFrom(await fn.getCredentials('hotelSquareApi')));
}

export async function ledgerFor(fn: IExecuteFunctions): Promise<BillingLedger> {
	return new BillingLedger(await hotelStore(fn));
}
