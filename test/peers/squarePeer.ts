/**
 * The Square peer: a local, in-memory server that speaks enough of Square's v2 API for our Square
 * gateway (payments taken at once or authorised then completed or cancelled, refunds, a location),
 * and that sends signed webhooks the way Square does. End-to-end tests use it instead of
 * connect.squareup.com, and `npm start` uses it so hotel IT can try Square without an account.
 *
 * It copies Square where our code can tell the difference: JSON bodies and `errors` arrays with
 * HTTP statuses, `idempotency_key` in the body (the same key with the same body answers the first
 * result; with another body, 400 IDEMPOTENCY_KEY_REUSED), Square's sandbox test tokens
 * (`cnon:card-nonce-ok`, `cnon:card-nonce-declined`), payment.created / payment.updated /
 * refund.created / refund.updated events signed over notification URL + body, and bounded
 * redelivery. Raw card numbers are refused. Test hooks: failNext, redeliver, signPayload.
 *
 * It binds to 127.0.0.1 only and must never look like a real service.
 */
import http from 'node:http';
import { createHmac, randomBytes } from 'node:crypto';
import { WebhookDelivery } from './webhookDelivery';
import { closeServer, listenOnLoopback } from './localServer';

export interface SquarePeerOptions {
	accessToken: string;
	locationId?: string;
	/** Where events are POSTed, with the signature key; the notification URL Square signs is this URL unless `notificationUrl` says otherwise. */
	webhook?: { url: string; signatureKey: string; notificationUrl?: string };
	port?: number;
	webhookRetry?: { attempts: number; delaysMs: number[] };
}

export type SquareEvent = {
	merchant_id: string;
	type: string;
	event_id: string;
	created_at: string;
	data: { type: string; id: string; object: Record<string, unknown> };
};

export interface SquarePeer {
	url: string;
	port: number;
	locationId: string;
	setWebhook(url: string, signatureKey: string, notificationUrl?: string): void;
	events: SquareEvent[];
	deliveries: Array<{ eventId: string; status: number | string; at: number }>;
	redeliver(eventId: string, opts?: { times?: number; concurrent?: boolean }): Promise<number[]>;
	/** The x-square-hmacsha256-signature of a payload (for tests of bad signatures). */
	signPayload(payload: string, opts?: { signatureKey?: string; notificationUrl?: string }): string;
	/** Make the next n API requests fail with this status (default 500). */
	failNext(n: number, status?: number): void;
	/** The next n events (Infinity: all until loseWebhooks(0)) are never delivered; the list endpoints still show the payments. */
	loseWebhooks(n: number): void;
	requests: Array<{ method: string; path: string; idempotencyKey?: string }>;
	/** Completes a payment as a card terminal at the front desk would (no API call of ours): for webhook tests. */
	takeAtFrontDesk(p: { reservationId: string; amount: number; currency: string }): Record<string, unknown>;
	stop(): Promise<void>;
}

type Money = { amount: number; currency: string };
type Payment = Record<string, unknown> & { id: string; status: string; amount_money: Money; total_money: Money; refunded_money?: Money; refund_ids?: string[]; version_token: string };
type Refund = Record<string, unknown> & { id: string; status: string; amount_money: Money; payment_id: string };

class SquareError extends Error {
	constructor(
		readonly status: number,
		readonly errors: Array<{ category: string; code: string; detail: string; field?: string }>,
		readonly body: Record<string, unknown> = {},
	) {
		super(errors[0]?.detail);
	}
}
const badRequest = (code: string, detail: string, field?: string) => new SquareError(400, [{ category: 'INVALID_REQUEST_ERROR', code, detail, ...(field ? { field } : {}) }]);
const notFound = (what: string, id: string) => new SquareError(404, [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: `Could not find ${what} with id ${id}.` }]);

const newId = (n = 29) => randomBytes(n).toString('base64url').slice(0, n);
const now = () => new Date().toISOString();
const MERCHANT = 'ML82H4QPKMGXY';
/** 13–19 digits, maybe spaced: what a card number looks like. */
const PAN = /\b(?:\d[ -]?){13,19}\b/;

function money(value: unknown, field: string): Money {
	const m = value as Money | undefined;
	if (!m || !Number.isInteger(m.amount) || m.amount < 0 || typeof m.currency !== 'string' || !/^[A-Z]{3}$/.test(m.currency)) {
		throw badRequest('INVALID_VALUE', `${field} must be { amount: a non-negative integer, currency: an ISO 4217 code }.`, field);
	}
	return { amount: m.amount, currency: m.currency };
}

export async function startSquarePeer(opts: SquarePeerOptions): Promise<SquarePeer> {
	const locationId = opts.locationId ?? 'L88917AVBK2S5';
	const payments = new Map<string, Payment>();
	const refunds = new Map<string, Refund>();
	const idempotent = new Map<string, { request: string; status: number; body: unknown }>();
	const events: SquareEvent[] = [];
	const requests: SquarePeer['requests'] = [];
	let failures = { left: 0, status: 500 };
	let hook = opts.webhook;

	const sign = (payload: string, o: { signatureKey?: string; notificationUrl?: string } = {}) => {
		const key = o.signatureKey ?? hook?.signatureKey;
		if (!key) throw new Error('signPayload: no signature key configured or given');
		return createHmac('sha256', key).update((o.notificationUrl ?? hook?.notificationUrl ?? hook?.url ?? '') + payload).digest('base64');
	};
	const delivery = new WebhookDelivery({
		peer: 'Square',
		retry: opts.webhookRetry ?? { attempts: 3, delaysMs: [200, 1000] },
		userAgent: 'Square Connect v2',
		headers: (payload) => ({ 'x-square-hmacsha256-signature': sign(payload) }),
	});
	const setWebhook = (url: string, signatureKey: string, notificationUrl?: string) => {
		delivery.setTarget(url);
		hook = { url, signatureKey, notificationUrl };
	};
	if (hook) setWebhook(hook.url, hook.signatureKey, hook.notificationUrl);

	const publish = (type: string, kind: 'payment' | 'refund', object: Payment | Refund) => {
		const event: SquareEvent = { merchant_id: MERCHANT, type, event_id: crypto.randomUUID(), created_at: now(), data: { type: kind, id: object.id, object: { [kind]: structuredClone(object) } } };
		events.push(event);
		delivery.publish(event.event_id, JSON.stringify(event));
	};

	const payment = (id: string) => payments.get(id) ?? (() => { throw notFound('Payment', id); })();
	const touch = (p: Payment, type = 'payment.updated') => {
		p.updated_at = now();
		p.version_token = newId(36);
		publish(type, 'payment', p);
	};

	function createPayment(body: Record<string, unknown>): Payment {
		const source = String(body.source_id ?? '');
		if (!source) throw badRequest('MISSING_REQUIRED_PARAMETER', 'Field must be set', 'source_id');
		const amount = money(body.amount_money, 'amount_money');
		if (typeof body.reference_id === 'string' && body.reference_id.length > 40) throw badRequest('VALUE_TOO_LONG', 'Field must not be greater than 40 length', 'reference_id');
		if (body.location_id !== undefined && body.location_id !== locationId) throw notFound('Location', String(body.location_id));
		const declined = source === 'cnon:card-nonce-declined';
		if (!declined && !/^(cnon|ccof):/.test(source)) throw badRequest('INVALID_CARD_DATA', 'Invalid card data.', 'source_id');
		const p: Payment = {
			id: newId(),
			created_at: now(),
			updated_at: now(),
			amount_money: amount,
			total_money: amount,
			approved_money: declined ? { amount: 0, currency: amount.currency } : amount,
			status: declined ? 'FAILED' : body.autocomplete === false ? 'APPROVED' : 'COMPLETED',
			delay_action: 'CANCEL',
			source_type: 'CARD',
			card_details: {
				status: declined ? 'FAILED' : body.autocomplete === false ? 'AUTHORIZED' : 'CAPTURED',
				card: { card_brand: 'VISA', last_4: '1111', exp_month: 11, exp_year: 2030, card_type: 'CREDIT' },
				entry_method: source.startsWith('ccof:') ? 'ON_FILE' : 'KEYED',
				...(declined ? { errors: [{ code: 'GENERIC_DECLINE', detail: "Authorization error: 'GENERIC_DECLINE'", category: 'PAYMENT_METHOD_ERROR' }] } : {}),
			},
			location_id: locationId,
			reference_id: body.reference_id,
			note: body.note,
			buyer_email_address: body.buyer_email_address,
			receipt_url: `http://127.0.0.1/r/${newId(8)}`,
			version_token: newId(36),
		};
		payments.set(p.id, p);
		publish('payment.created', 'payment', p);
		if (declined) {
			throw new SquareError(400, [{ category: 'PAYMENT_METHOD_ERROR', code: 'GENERIC_DECLINE', detail: "Authorization error: 'GENERIC_DECLINE'" }], { payment: p });
		}
		return p;
	}

	function changeState(id: string, to: 'COMPLETED' | 'CANCELED'): Payment {
		const p = payment(id);
		if (p.status !== 'APPROVED') throw badRequest('BAD_REQUEST', `Payment ${id} is ${p.status}: only an APPROVED payment can be ${to === 'COMPLETED' ? 'completed' : 'canceled'}.`);
		p.status = to;
		(p.card_details as Record<string, unknown>).status = to === 'COMPLETED' ? 'CAPTURED' : 'VOIDED';
		touch(p);
		return p;
	}

	function refund(body: Record<string, unknown>): Refund {
		const p = payment(String(body.payment_id ?? ''));
		const amount = money(body.amount_money, 'amount_money');
		if (p.status !== 'COMPLETED') throw badRequest('BAD_REQUEST', `Payment ${p.id} is ${p.status}: only a COMPLETED payment can be refunded.`);
		if (amount.currency !== p.amount_money.currency) throw badRequest('CURRENCY_MISMATCH', 'The refund currency must match the payment.', 'amount_money.currency');
		const already = p.refunded_money?.amount ?? 0;
		if (amount.amount === 0 || already + amount.amount > p.total_money.amount) throw badRequest('REFUND_AMOUNT_INVALID', 'The requested refund amount exceeds the amount available to refund.', 'amount_money.amount');
		const r: Refund = { id: `${p.id}_${newId(16)}`, status: 'PENDING', amount_money: amount, payment_id: p.id, location_id: locationId, reason: body.reason, created_at: now(), updated_at: now() };
		refunds.set(r.id, r);
		publish('refund.created', 'refund', r);
		// Square completes card refunds asynchronously; here a moment later, with both events Square sends.
		setTimeout(() => {
			r.status = 'COMPLETED';
			r.updated_at = now();
			publish('refund.updated', 'refund', r);
			p.refunded_money = { amount: already + amount.amount, currency: amount.currency };
			p.refund_ids = [...(p.refund_ids ?? []), r.id];
			touch(p);
		}, 20).unref();
		return r;
	}

	/** Runs a write once per idempotency key; a repeat with the same body answers the first result. */
	function once(body: Record<string, unknown>, run: () => unknown): { status: number; body: unknown } {
		const key = body.idempotency_key;
		if (typeof key !== 'string' || key === '' || key.length > 45) throw badRequest(key ? 'VALUE_TOO_LONG' : 'MISSING_REQUIRED_PARAMETER', 'idempotency_key must be 1 to 45 characters.', 'idempotency_key');
		const request = JSON.stringify(body);
		const seen = idempotent.get(key);
		if (seen) {
			if (seen.request !== request) throw badRequest('IDEMPOTENCY_KEY_REUSED', 'The idempotency key can only be retried with the same request data.', 'idempotency_key');
			return { status: seen.status, body: seen.body };
		}
		let answer: { status: number; body: unknown };
		try {
			answer = { status: 200, body: run() };
		} catch (error) {
			if (!(error instanceof SquareError)) throw error;
			answer = { status: error.status, body: { errors: error.errors, ...error.body } };
		}
		idempotent.set(key, { request, ...structuredClone(answer) });
		return answer;
	}

	/** ListPayments / ListRefunds: created at or after begin_time, oldest first, pages of `limit` with a cursor. */
	function list(kind: 'payments' | 'refunds', query: URLSearchParams): Record<string, unknown> {
		const begin = query.get('begin_time') ? Date.parse(query.get('begin_time')!) : 0;
		if (Number.isNaN(begin)) throw badRequest('INVALID_TIME', 'begin_time is not an RFC 3339 time.', 'begin_time');
		const limit = Math.min(Number(query.get('limit') ?? 100), 100);
		const from = Number(query.get('cursor') ?? 0);
		const all = [...(kind === 'payments' ? payments : refunds).values()].filter((o) => Date.parse(String(o.created_at)) >= begin);
		const page = all.slice(from, from + limit);
		return { [kind]: page, ...(from + limit < all.length ? { cursor: String(from + limit) } : {}) };
	}

	function route(method: string, path: string, body: Record<string, unknown>, query: URLSearchParams): { status: number; body: unknown } {
		let m: RegExpExecArray | null;
		if (method === 'GET' && (m = /^\/v2\/locations\/([^/]+)$/.exec(path))) {
			if (decodeURIComponent(m[1]) !== locationId) throw notFound('Location', decodeURIComponent(m[1]));
			return { status: 200, body: { location: { id: locationId, name: 'Hotel Seeblick (test)', status: 'ACTIVE', currency: 'EUR' } } };
		}
		if (method === 'POST' && path === '/v2/payments') return once(body, () => ({ payment: createPayment(body) }));
		if (method === 'POST' && path === '/v2/refunds') return once(body, () => ({ refund: refund(body) }));
		if (method === 'GET' && (path === '/v2/payments' || path === '/v2/refunds')) return { status: 200, body: list(path === '/v2/payments' ? 'payments' : 'refunds', query) };
		if (method === 'GET' && (m = /^\/v2\/payments\/([^/]+)$/.exec(path))) return { status: 200, body: { payment: payment(decodeURIComponent(m[1])) } };
		if (method === 'POST' && (m = /^\/v2\/payments\/([^/]+)\/(complete|cancel)$/.exec(path))) {
			return { status: 200, body: { payment: changeState(decodeURIComponent(m[1]), m[2] === 'complete' ? 'COMPLETED' : 'CANCELED') } };
		}
		if (method === 'GET' && (m = /^\/v2\/refunds\/([^/]+)$/.exec(path))) {
			const r = refunds.get(decodeURIComponent(m[1]));
			if (!r) throw notFound('Refund', m[1]);
			return { status: 200, body: { refund: r } };
		}
		throw new SquareError(404, [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: `No route ${method} ${path}.` }]);
	}

	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (c: Buffer) => {
			size += c.length;
			if (size > 1_000_000) req.destroy();
			else chunks.push(c);
		});
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://127.0.0.1');
			const path = url.pathname;
			const raw = Buffer.concat(chunks).toString('utf8');
			const send = (status: number, body: unknown) => {
				res.writeHead(status, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify(body));
			};
			let body: Record<string, unknown> = {};
			try {
				body = raw ? JSON.parse(raw) : {};
			} catch {
				return send(400, { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_CONTENT_TYPE', detail: 'The body is not JSON.' }] });
			}
			requests.push({ method: req.method ?? '', path, idempotencyKey: typeof body.idempotency_key === 'string' ? body.idempotency_key : undefined });
			if (req.headers.authorization !== `Bearer ${opts.accessToken}`) {
				return send(401, { errors: [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail: 'This request could not be authorized.' }] });
			}
			if (failures.left > 0) {
				failures.left--;
				return send(failures.status, { errors: [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', detail: 'Injected failure.' }] });
			}
			if (PAN.test(raw)) return send(400, { errors: [{ category: 'INVALID_REQUEST_ERROR', code: 'INVALID_CARD_DATA', detail: 'Raw card numbers are not accepted.' }] });
			try {
				const answer = route(req.method ?? 'GET', path, body, url.searchParams);
				send(answer.status, answer.body);
			} catch (error) {
				if (error instanceof SquareError) send(error.status, { errors: error.errors, ...error.body });
				else send(500, { errors: [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', detail: String(error) }] });
			}
		});
	});
	const port = await listenOnLoopback(server, opts.port);

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		locationId,
		setWebhook,
		events,
		deliveries: delivery.deliveries,
		redeliver: (eventId, o) => delivery.redeliver(eventId, o),
		signPayload: sign,
		failNext: (n, status = 500) => (failures = { left: n, status }),
		loseWebhooks: (n) => delivery.lose(n),
		requests,
		takeAtFrontDesk: ({ reservationId, amount, currency }) => createPayment({ source_id: 'cnon:card-nonce-ok', amount_money: { amount, currency: currency.toUpperCase() }, reference_id: reservationId, idempotency_key: newId(20) }),
		stop: async () => {
			delivery.stop();
			await closeServer(server);
		},
	};
}
