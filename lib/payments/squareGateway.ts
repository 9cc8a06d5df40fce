/**
 * Square, as the payment nodes need it: payments (taken at once or authorised and completed
 * later), cancel, refunds. Square's official SDK is not used: it ships ~9,000 files and pulls a
 * second, legacy copy of itself as a dependency; the handful of JSON calls below go through our one
 * HTTP transport and retry policy instead, like every partner without a lean SDK.
 *
 * Creates and refunds carry an idempotency key built as for Stripe (idempotency.ts), within
 * Square's 45 characters; Square answers a repeated key with the first result, so retries and
 * re-runs never charge or refund twice. Complete and cancel take no key in Square's API: repeating
 * one that already took effect is refused, so on a refusal we read the payment back and answer with
 * it when it is already in the state asked for.
 */
import { httpRequest } from '../http/transport';
import { PartnerError, callPartner, type ResilienceOptions } from '../resilience/policy';
import { SQUARE_MAX_KEY, idempotencyKey } from './idempotency';
import { squareLedgerId } from './squareEvents';

export const SQUARE_VERSION = '2025-07-16';
const BASE_URLS = { production: 'https://connect.squareup.com', sandbox: 'https://connect.squareupsandbox.com' } as const;
/** Square's limit on a payment's reference_id, where the reservation id goes. */
const MAX_REFERENCE_ID = 40;

export interface SquareConnection {
	accessToken: string;
	baseUrl: string;
	locationId: string;
}

/** From the fields of a Hotel Square API credential. */
export function squareConnectionFrom(c: Record<string, unknown>): SquareConnection {
	const environment = String(c.environment ?? 'production');
	const baseUrl = environment === 'custom' ? String(c.baseUrl ?? '') : BASE_URLS[environment as keyof typeof BASE_URLS] ?? BASE_URLS.production;
	return { accessToken: String(c.accessToken ?? ''), baseUrl: baseUrl.replace(/\/+$/, ''), locationId: String(c.locationId ?? '') };
}

/** A Square payment as the nodes output it; `status` in the ledger's words, `squareStatus` in Square's. */
export interface SquarePaymentView {
	id: string;
	gateway: 'square';
	ledgerId: string;
	status: string;
	squareStatus: string;
	amount: number;
	amountReceived: number;
	amountRefunded: number;
	currency: string;
	reservationId?: string;
	locationId?: string;
	/** Authorised, waiting for complete() or cancel(). */
	awaitingCompletion: boolean;
	receiptUrl?: string;
	lastError?: string;
}

export interface SquareRefundView {
	id: string;
	gateway: 'square';
	status: string;
	amount: number;
	currency: string;
	paymentId: string;
	reason: string | null;
}

/** Square said no (bad request, declined card, unknown id): not worth a retry. */
export class SquareRequestError extends PartnerError {}

/** Square's payment statuses in the ledger's vocabulary (billingLedger.ts ranks these). */
export function ledgerStatusOf(squareStatus: string): string {
	switch (squareStatus) {
		case 'COMPLETED':
			return 'succeeded';
		case 'APPROVED':
			return 'requires_capture';
		case 'PENDING':
			return 'processing';
		case 'CANCELED':
			return 'canceled';
		case 'FAILED':
			return 'failed';
		default:
			return 'requires_payment_method';
	}
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Square objects are loosely shaped JSON
type SquareObject = Record<string, any>;

function toView(p: SquareObject): SquarePaymentView {
	const amount = Number(p.amount_money?.amount ?? 0);
	const completed = p.status === 'COMPLETED';
	const error = p.card_details?.errors?.[0];
	return {
		id: String(p.id),
		gateway: 'square',
		ledgerId: squareLedgerId(String(p.id)),
		status: ledgerStatusOf(String(p.status)),
		squareStatus: String(p.status),
		amount,
		amountReceived: completed ? Number(p.total_money?.amount ?? amount) : 0,
		amountRefunded: Number(p.refunded_money?.amount ?? 0),
		currency: String(p.amount_money?.currency ?? '').toLowerCase(),
		reservationId: typeof p.reference_id === 'string' && p.reference_id !== '' ? p.reference_id : undefined,
		locationId: p.location_id,
		awaitingCompletion: p.status === 'APPROVED',
		receiptUrl: p.receipt_url,
		lastError: error ? String(error.detail ?? error.code) : undefined,
	};
}

export class SquareGateway {
	private readonly endpoint: string;

	constructor(
		private readonly connection: SquareConnection,
		private readonly resilience: Partial<ResilienceOptions> = {},
	) {
		if (!/^https?:\/\//.test(connection.baseUrl)) throw new SquareRequestError('The Square credential has no valid API base URL.', { partner: 'Square', retryable: false });
		this.endpoint = `square:${new URL(connection.baseUrl).origin}`;
	}

	private call(method: 'GET' | 'POST', path: string, body?: SquareObject): Promise<SquareObject> {
		return callPartner(
			'Square',
			this.endpoint,
			async ({ signal }) => {
				const res = await httpRequest('Square', {
					method,
					url: `${this.connection.baseUrl}${path}`,
					headers: {
						Authorization: `Bearer ${this.connection.accessToken}`,
						'Square-Version': SQUARE_VERSION,
						Accept: 'application/json',
						...(body ? { 'Content-Type': 'application/json' } : {}),
					},
					body: body ? JSON.stringify(body) : undefined,
					signal,
					returnClientErrors: true,
				});
				let json: SquareObject;
				try {
					json = JSON.parse(res.body || '{}');
				} catch {
					throw new PartnerError(`Square answered ${res.status} with a body that is not JSON.`, { partner: 'Square', retryable: res.status >= 500, status: res.status });
				}
				if (res.status >= 400) throw refusal(res.status, json);
				return json;
			},
			this.resilience,
		);
	}

	/**
	 * Takes a payment for a reservation from a card token (Square's Web Payments SDK, `cnon:…`) or a
	 * card on file (`ccof:…`); with `delayedCapture` it is only authorised until complete() or cancel().
	 */
	async createPayment(p: {
		reservationId: string;
		amount: number;
		currency: string;
		sourceId: string;
		reference?: string;
		delayedCapture?: boolean;
		note?: string;
		buyerEmail?: string;
		locationId?: string;
	}): Promise<SquarePaymentView> {
		if (p.reservationId.length > MAX_REFERENCE_ID) {
			throw new SquareRequestError(`Square keeps at most ${MAX_REFERENCE_ID} characters of a payment's reference; reservation id "${p.reservationId}" is longer.`, {
				partner: 'Square',
				retryable: false,
				code: 'reservationId',
			});
		}
		const body = {
			idempotency_key: idempotencyKey('create', p.reservationId, p.reference, SQUARE_MAX_KEY),
			source_id: p.sourceId,
			amount_money: { amount: p.amount, currency: p.currency.toUpperCase() },
			autocomplete: !p.delayedCapture,
			location_id: p.locationId || this.connection.locationId,
			reference_id: p.reservationId,
			...(p.note ? { note: p.note.slice(0, 500) } : {}),
			...(p.buyerEmail ? { buyer_email_address: p.buyerEmail } : {}),
		};
		return toView((await this.call('POST', '/v2/payments', body)).payment);
	}

	async getPayment(id: string): Promise<SquarePaymentView> {
		return toView((await this.call('GET', `/v2/payments/${encodeURIComponent(id)}`)).payment);
	}

	/** Takes an authorised (APPROVED) payment: Square's CompletePayment. */
	complete(id: string): Promise<SquarePaymentView> {
		return this.changeState(id, 'complete', 'COMPLETED');
	}

	/** Releases an authorised payment: Square's CancelPayment. */
	cancel(id: string): Promise<SquarePaymentView> {
		return this.changeState(id, 'cancel', 'CANCELED');
	}

	private async changeState(id: string, action: 'complete' | 'cancel', target: string): Promise<SquarePaymentView> {
		try {
			return toView((await this.call('POST', `/v2/payments/${encodeURIComponent(id)}/${action}`, {})).payment);
		} catch (error) {
			if (!(error instanceof SquareRequestError) || error.details.status === 401 || error.details.status === 404) throw error;
			const now = await this.getPayment(id); // a repeat of a call that took effect is refused: read it back
			if (now.squareStatus === target) return now;
			throw error;
		}
	}

	/**
	 * Refunds `amount`, or with none what is left of the payment. `reference` tells two partial
	 * refunds of the same amount apart; the same reference never refunds twice.
	 */
	async refund(p: { paymentId: string; amount?: number; reason?: string; reference?: string }): Promise<SquareRefundView> {
		const payment = await this.getPayment(p.paymentId);
		const amount = p.amount ?? payment.amountReceived - payment.amountRefunded;
		if (amount <= 0) {
			throw new SquareRequestError(`Square payment ${p.paymentId} has nothing left to refund.`, { partner: 'Square', retryable: false, code: 'amount' });
		}
		const body = {
			idempotency_key: idempotencyKey('refund', p.paymentId, p.reference ?? (p.amount === undefined ? 'full' : `amount-${p.amount}`), SQUARE_MAX_KEY),
			payment_id: p.paymentId,
			amount_money: { amount, currency: payment.currency.toUpperCase() },
			...(p.reason ? { reason: p.reason.slice(0, 192) } : {}),
		};
		const r = (await this.call('POST', '/v2/refunds', body)).refund;
		return {
			id: String(r.id),
			gateway: 'square',
			status: String(r.status),
			amount: Number(r.amount_money?.amount ?? amount),
			currency: String(r.amount_money?.currency ?? payment.currency).toLowerCase(),
			paymentId: String(r.payment_id ?? p.paymentId),
			reason: r.reason ?? null,
		};
	}

	/** The location's payments created since `beginTime`, every page, up to `max`. */
	listPayments(beginTime: Date, max = 10_000): Promise<SquareObject[]> {
		return this.listAll('/v2/payments', 'payments', beginTime, max);
	}

	/** The location's refunds created since `beginTime`, every page, up to `max`. */
	listRefunds(beginTime: Date, max = 10_000): Promise<SquareObject[]> {
		return this.listAll('/v2/refunds', 'refunds', beginTime, max);
	}

	private async listAll(path: string, key: string, beginTime: Date, max: number): Promise<SquareObject[]> {
		const all: SquareObject[] = [];
		let cursor: string | undefined;
		do {
			const query = new URLSearchParams({ begin_time: beginTime.toISOString(), location_id: this.connection.locationId, sort_order: 'ASC', limit: '100', ...(cursor ? { cursor } : {}) });
			const page = await this.call('GET', `${path}?${query}`);
			all.push(...((page[key] as SquareObject[] | undefined) ?? []));
			cursor = typeof page.cursor === 'string' && page.cursor !== '' ? page.cursor : undefined;
		} while (cursor && all.length < max);
		return all.slice(0, max);
	}

	/** The credential test: reads the configured location. */
	async checkConnection(): Promise<void> {
		await this.call('GET', `/v2/locations/${encodeURIComponent(this.connection.locationId)}`);
	}
}

/** Square's `errors` array → a message staff can act on; 4xx are refusals, never retried. */
function refusal(status: number, body: SquareObject): SquareRequestError {
	const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
	const code = first?.code ? String(first.code) : undefined;
	const detail = first?.detail ? String(first.detail) : `HTTP ${status}`;
	const details = { partner: 'Square', retryable: false, status, code };
	if (status === 401) return new SquareRequestError('Square rejected the access token: check the Hotel Square API credential.', details);
	if (code === 'IDEMPOTENCY_KEY_REUSED') {
		return new SquareRequestError(
			`Square refused a repeated request with different values (${detail}). This payment was already sent with other values: give it a new Payment Reference if it is really a second payment.`,
			details,
		);
	}
	return new SquareRequestError(`Square: ${detail}${code ? ` (${code})` : ''}`, details);
}
