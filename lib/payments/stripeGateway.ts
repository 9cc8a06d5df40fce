/**
 * Stripe, as the payment nodes need it: payment intents, capture, cancel, refunds. The official
 * `stripe` library speaks the API (form encoding, errors, idempotency headers); our one retry
 * policy (lib/resilience) decides retries and the circuit breaker, so the library's own retries
 * are off. Every write carries an idempotency key, which is what makes those retries safe.
 */
import Stripe from 'stripe';
import { PartnerError, callPartner, type ResilienceOptions } from '../resilience/policy';
import { idempotencyKey } from './idempotency';
import type { StripeEvent } from './stripeSignature';

export interface StripeConnection {
	secretKey: string;
	/** A Stripe-compatible server, e.g. the local peer; default https://api.stripe.com */
	baseUrl?: string;
}

/** From the fields of a Hotel Stripe API credential. */
export function stripeConnectionFrom(c: Record<string, unknown>): StripeConnection {
	return { secretKey: String(c.secretKey ?? ''), baseUrl: String(c.baseUrl || 'https://api.stripe.com') };
}

export interface PaymentIntentView {
	id: string;
	status: string;
	amount: number;
	amountReceived: number;
	amountCapturable: number;
	currency: string;
	captureMethod: string;
	reservationId?: string;
	clientSecret?: string | null;
	latestCharge?: string | null;
	lastError?: string;
}

export interface RefundView {
	id: string;
	status: string | null;
	amount: number;
	currency: string;
	paymentIntent: string | null;
	reason: string | null;
}

/** Stripe said no (bad request, declined card, unknown id): not worth a retry. */
export class StripeRequestError extends PartnerError {}

function toView(pi: Stripe.PaymentIntent): PaymentIntentView {
	return {
		id: pi.id,
		status: pi.status,
		amount: pi.amount,
		amountReceived: pi.amount_received,
		amountCapturable: pi.amount_capturable,
		currency: pi.currency,
		captureMethod: pi.capture_method,
		reservationId: pi.metadata?.reservation_id,
		clientSecret: pi.client_secret,
		latestCharge: typeof pi.latest_charge === 'string' ? pi.latest_charge : (pi.latest_charge?.id ?? null),
		lastError: pi.last_payment_error?.message ?? undefined,
	};
}

export class StripeGateway {
	private readonly stripe: Stripe;
	private readonly endpoint: string;

	constructor(
		connection: StripeConnection,
		private readonly resilience: Partial<ResilienceOptions> = {},
	) {
		const url = new URL(connection.baseUrl || 'https://api.stripe.com');
		this.endpoint = `stripe:${url.origin}`;
		this.stripe = new Stripe(connection.secretKey, {
			host: url.hostname,
			port: url.port || (url.protocol === 'http:' ? 80 : 443),
			protocol: url.protocol === 'http:' ? 'http' : 'https',
			maxNetworkRetries: 0,
			timeout: 20_000,
			telemetry: false,
		});
	}

	private call<T>(fn: () => Promise<T>): Promise<T> {
		return callPartner(
			'Stripe',
			this.endpoint,
			async () => {
				try {
					return await fn();
				} catch (error) {
					throw translate(error);
				}
			},
			this.resilience,
		);
	}

	createPaymentIntent(p: {
		reservationId: string;
		amount: number;
		currency: string;
		reference?: string;
		captureMethod?: 'automatic' | 'manual';
		description?: string;
		receiptEmail?: string;
		paymentMethod?: string;
		confirm?: boolean;
	}): Promise<PaymentIntentView> {
		const params: Stripe.PaymentIntentCreateParams = {
			amount: p.amount,
			currency: p.currency.toLowerCase(),
			capture_method: p.captureMethod ?? 'automatic',
			metadata: { reservation_id: p.reservationId, ...(p.reference ? { payment_reference: p.reference } : {}) },
			...(p.description ? { description: p.description } : {}),
			...(p.receiptEmail ? { receipt_email: p.receiptEmail } : {}),
			...(p.paymentMethod ? { payment_method: p.paymentMethod } : {}),
			...(p.confirm ? { confirm: true } : {}),
		};
		const key = idempotencyKey('create', p.reservationId, p.reference);
		return this.call(async () => toView(await this.stripe.paymentIntents.create(params, { idempotencyKey: key })));
	}

	retrievePaymentIntent(id: string): Promise<PaymentIntentView> {
		return this.call(async () => toView(await this.stripe.paymentIntents.retrieve(id)));
	}

	confirmPaymentIntent(id: string, paymentMethod?: string): Promise<PaymentIntentView> {
		const key = idempotencyKey('confirm', id, paymentMethod ?? 'attached');
		return this.call(async () =>
			toView(await this.stripe.paymentIntents.confirm(id, paymentMethod ? { payment_method: paymentMethod } : {}, { idempotencyKey: key })),
		);
	}

	capturePaymentIntent(id: string, amountToCapture?: number): Promise<PaymentIntentView> {
		const key = idempotencyKey('capture', id, amountToCapture === undefined ? 'full' : String(amountToCapture));
		return this.call(async () =>
			toView(
				await this.stripe.paymentIntents.capture(id, amountToCapture === undefined ? {} : { amount_to_capture: amountToCapture }, {
					idempotencyKey: key,
				}),
			),
		);
	}

	cancelPaymentIntent(id: string, reason?: Stripe.PaymentIntentCancelParams.CancellationReason): Promise<PaymentIntentView> {
		const key = idempotencyKey('cancel', id);
		return this.call(async () =>
			toView(await this.stripe.paymentIntents.cancel(id, reason ? { cancellation_reason: reason } : {}, { idempotencyKey: key })),
		);
	}

	/** A full refund when `amount` is omitted. `reference` tells two partial refunds apart. */
	refund(p: { paymentIntent: string; amount?: number; reason?: Stripe.RefundCreateParams.Reason; reference?: string }): Promise<RefundView> {
		const key = idempotencyKey('refund', p.paymentIntent, p.reference ?? (p.amount === undefined ? 'full' : `amount-${p.amount}`));
		return this.call(async () => {
			const r = await this.stripe.refunds.create(
				{
					payment_intent: p.paymentIntent,
					...(p.amount !== undefined ? { amount: p.amount } : {}),
					...(p.reason ? { reason: p.reason } : {}),
				},
				{ idempotencyKey: key },
			);
			return {
				id: r.id,
				status: r.status,
				amount: r.amount,
				currency: r.currency,
				paymentIntent: typeof r.payment_intent === 'string' ? r.payment_intent : (r.payment_intent?.id ?? null),
				reason: r.reason,
			};
		});
	}

	/**
	 * The events of these types since `sinceSeconds` (Unix time), oldest first: every page of
	 * Stripe's list (newest first, 100 a page), each page a call with its own retries, up to `max`.
	 */
	async listEvents(types: string[], sinceSeconds: number, max = 10_000): Promise<StripeEvent[]> {
		const newestFirst: StripeEvent[] = [];
		let startingAfter: string | undefined;
		for (;;) {
			const page = await this.call(() =>
				this.stripe.events.list({ types, created: { gte: sinceSeconds }, limit: 100, ...(startingAfter ? { starting_after: startingAfter } : {}) }),
			);
			newestFirst.push(...(page.data as unknown as StripeEvent[]));
			if (!page.has_more || page.data.length === 0 || newestFirst.length >= max) break;
			startingAfter = page.data[page.data.length - 1].id;
		}
		return newestFirst.slice(0, max).reverse();
	}

	/** The credential test: a read that any restricted key with payments access may do. */
	async checkConnection(): Promise<void> {
		await this.call(() => this.stripe.balance.retrieve());
	}
}

/** Stripe's error kinds → retry or not, with a message a hotel's staff can act on. */
function translate(error: unknown): PartnerError {
	if (error instanceof PartnerError) return error;
	const e = error as { type?: string; statusCode?: number; code?: string; message?: string; decline_code?: string };
	const status = e.statusCode;
	const retryable = e.type === 'StripeConnectionError' || e.type === 'StripeAPIError' || status === 429 || (status !== undefined && status >= 500);
	const details = { partner: 'Stripe', retryable, status, code: e.code ?? e.decline_code, cause: error };
	if (e.type === 'StripeIdempotencyError' || e.code === 'idempotency_key_in_use') {
		return new StripeRequestError(
			`Stripe refused a repeated request with different parameters (${e.message ?? 'idempotency error'}). ` +
				'This payment was already sent with other values: give it a new Payment Reference if it is really a second payment.',
			{ ...details, retryable: false },
		);
	}
	if (e.type === 'StripeAuthenticationError') {
		return new StripeRequestError('Stripe rejected the secret key: check the Hotel Stripe API credential.', { ...details, retryable: false });
	}
	const message = e.message ?? String(error);
	return retryable ? new PartnerError(`Stripe is not answering properly: ${message}`, details) : new StripeRequestError(`Stripe: ${message}`, details);
}
