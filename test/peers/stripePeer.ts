/**
 * The Stripe peer: a local, in-memory server that speaks enough of Stripe's v1 API for the real
 * `stripe` library and our payment nodes (payment intents, capture, cancel, refunds, balance), and
 * that sends signed webhook events the way Stripe does. End-to-end tests use it instead of
 * api.stripe.com, and `npm start` uses it so a hotel's IT person can try payments without an account.
 *
 * It copies Stripe where our code can tell the difference: form-encoded bodies with bracket
 * notation, error shapes and HTTP statuses, idempotent replays, refusing raw card numbers, events
 * signed over the exact bytes sent, and bounded redelivery. Test hooks (failNext, redeliver,
 * signPayload, the request and delivery logs) let tests provoke what real Stripe does rarely.
 *
 * It binds to 127.0.0.1 only: it accepts any `pm_…` as a card and must never look like a real service.
 */
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import { WebhookDelivery } from './webhookDelivery';
import { closeServer, listenOnLoopback, readLimitedBody } from './localServer';

export interface StripePeerOptions {
	/** Requests must carry `Authorization: Bearer <secretKey>` (or Basic auth with the key as user name). */
	secretKey: string;
	/** Where events are POSTed; can also be set later with setWebhook. */
	webhookUrl?: string;
	/** whsec_… used to sign Stripe-Signature. Without it, deliveries go out unsigned (and should be refused). */
	webhookSecret?: string;
	/** Default 0: any free port. The peer always binds 127.0.0.1. */
	port?: number;
	/** Bounded redelivery on a non-2xx answer or a network error. Default 3 attempts, [200, 1000] ms apart. */
	webhookRetry?: { attempts: number; delaysMs: number[] };
}

/** A type alias (not an interface) so it stays assignable to other event types with index signatures. */
export type StripeEvent = {
	id: string;
	object: 'event';
	api_version: string;
	created: number;
	livemode: false;
	pending_webhooks: number;
	request: { id: string | null; idempotency_key: string | null };
	type: string;
	data: { object: Record<string, unknown> };
};

export interface StripePeer {
	/** http://127.0.0.1:<port> */
	url: string;
	port: number;
	setWebhook(url: string, secret: string): void;
	/** Every event created, in order. */
	events: StripeEvent[];
	/** Every webhook delivery attempt: event id, HTTP status (or the network error's code), time (ms). */
	deliveries: Array<{ eventId: string; status: number | string; at: number }>;
	/** POST an event (by id) to the webhook again, `times` times, optionally concurrently; returns the HTTP statuses (0 = network error). */
	redeliver(eventId: string, opts?: { times?: number; concurrent?: boolean }): Promise<number[]>;
	/** Build a Stripe-Signature header for any payload (for tests of bad or old signatures). `timestamp` is in seconds. */
	signPayload(payload: string, opts?: { timestamp?: number; secret?: string }): string;
	/** Make the next n API requests fail with this status (default 500). */
	failNext(n: number, status?: number): void;
	/** The next n events (Infinity: all until loseWebhooks(0)) are never delivered, as if Stripe gave up on the endpoint; GET /v1/events still lists them. */
	loseWebhooks(n: number): void;
	requests: Array<{ method: string; path: string; idempotencyKey?: string }>;
	stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Form bodies: Stripe's bracket notation (a[b][c]=x, a[0]=x, a[]=x) into nested values.
// ---------------------------------------------------------------------------------------------

export type ParamValue = string | ParamValue[] | Params;
export interface Params {
	[key: string]: ParamValue;
}

/** Segments that would reach Object.prototype if used as keys. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** 'a[b][0]' → ['a', 'b', '0']; 'a[]' → ['a', '']; anything malformed is one literal key, as Rack does. */
function splitKey(key: string): string[] {
	const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
	if (!match) return [key];
	const rest = [...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]);
	return [match[1], ...rest];
}

/** Parses an x-www-form-urlencoded body (or query string). Throws ApiError on contradictory keys. */
export function parseStripeForm(body: string): Params {
	const root: Params = {};
	for (const [key, value] of new URLSearchParams(body)) assignPath(root, splitKey(key), value, key);
	return arraysFromIndexedObjects(root, '') as Params;
}

function assignPath(root: Params, segments: string[], value: string, rawKey: string): void {
	let node = root;
	for (let i = 0; i < segments.length; i++) {
		// `a[]` appends: the next free index of this (still object-shaped) container.
		const segment = segments[i] === '' ? String(Object.keys(node).length) : segments[i];
		if (FORBIDDEN_SEGMENTS.has(segment)) throw invalidRequest(`Invalid parameter name: ${rawKey}`);
		if (i === segments.length - 1) {
			if (Object.hasOwn(node, segment) && typeof node[segment] !== 'string') throw invalidHash(rawKey);
			node[segment] = value;
			return;
		}
		const existing = Object.hasOwn(node, segment) ? node[segment] : undefined;
		if (typeof existing === 'string') throw invalidHash(rawKey);
		if (existing === undefined) node[segment] = {};
		node = node[segment] as Params;
	}
}

function invalidHash(rawKey: string): ApiError {
	return invalidRequest(`Invalid hash: ${rawKey} is given both as a value and as an object.`);
}

/**
 * Containers are built as objects; the ones keyed exactly 0..n-1 become arrays. Metadata stays an
 * object even with numeric keys, because there the keys are the hotel's own names.
 */
function arraysFromIndexedObjects(value: ParamValue, key: string): ParamValue {
	if (typeof value === 'string' || Array.isArray(value)) return value;
	const keys = Object.keys(value);
	for (const k of keys) value[k] = arraysFromIndexedObjects(value[k], k);
	const indexed = keys.length > 0 && keys.every((k, i) => k === String(i));
	return indexed && key !== 'metadata' ? keys.map((k) => value[k]) : value;
}

/** Raw card numbers are refused wherever they appear (`card[number]`, `payment_method_data[card][number]`, …). */
function isRawCardKey(rawKey: string): boolean {
	return /(^|\[)card\]?\[number\]/.test(rawKey);
}

/** Stable JSON of the parameters, so that key order does not make two identical requests differ. */
function canonical(value: ParamValue): string {
	if (typeof value === 'string') return JSON.stringify(value);
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	const keys = Object.keys(value).sort();
	return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Errors in Stripe's shape.
// ---------------------------------------------------------------------------------------------

interface StripeErrorDetail {
	type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
	message: string;
	code?: string;
	param?: string;
	decline_code?: string;
	[extra: string]: unknown;
}

class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly detail: StripeErrorDetail,
	) {
		super(detail.message);
	}
}

function invalidRequest(message: string, extra: Partial<StripeErrorDetail> = {}, status = 400): ApiError {
	return new ApiError(status, { type: 'invalid_request_error', message, ...extra });
}

function missingParam(param: string): ApiError {
	return invalidRequest(`Missing required param: ${param}.`, { code: 'parameter_missing', param });
}

function noSuch(kind: string, id: string, param: string): ApiError {
	return invalidRequest(`No such ${kind}: '${id}'`, { code: 'resource_missing', param }, 404);
}

function unexpectedState(message: string): ApiError {
	return invalidRequest(message, { code: 'payment_intent_unexpected_state' });
}

// ---------------------------------------------------------------------------------------------
// Parameter readers: each validates one parameter the way Stripe words its complaints.
// ---------------------------------------------------------------------------------------------

function rejectUnknown(params: Params, allowed: readonly string[]): void {
	for (const key of Object.keys(params)) {
		if (!allowed.includes(key)) throw invalidRequest(`Received unknown parameter: ${key}`, { code: 'parameter_unknown', param: key });
	}
}

function optString(params: Params, name: string): string | undefined {
	const value = params[name];
	if (value === undefined) return undefined;
	if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${name} must be a string.`, { param: name });
	return value;
}

function optInteger(params: Params, name: string): number | undefined {
	const value = optString(params, name);
	if (value === undefined) return undefined;
	if (!/^-?\d+$/.test(value)) throw invalidRequest(`Invalid integer: ${value}`, { code: 'parameter_invalid_integer', param: name });
	return Number(value);
}

function optBoolean(params: Params, name: string): boolean | undefined {
	const value = optString(params, name);
	if (value === undefined) return undefined;
	if (value !== 'true' && value !== 'false') throw invalidRequest(`Invalid boolean: ${value}`, { param: name });
	return value === 'true';
}

function optEnum<T extends string>(params: Params, name: string, allowed: readonly T[]): T | undefined {
	const value = optString(params, name);
	if (value === undefined) return undefined;
	if (!(allowed as readonly string[]).includes(value)) {
		throw invalidRequest(`Invalid ${name}: must be one of ${allowed.join(', ')}`, { code: 'parameter_invalid_string', param: name });
	}
	return value as T;
}

/** Metadata: string values only; an empty value unsets the key, as on Stripe. */
function optMetadata(params: Params, current: Record<string, string> = {}): Record<string, string> {
	const value = params.metadata;
	if (value === undefined) return current;
	if (value === '') return {};
	if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid object', { param: 'metadata' });
	const merged = { ...current };
	for (const [k, v] of Object.entries(value)) {
		if (typeof v !== 'string') throw invalidRequest(`Invalid value for metadata[${k}]: must be a string.`, { param: `metadata[${k}]` });
		if (v === '') delete merged[k];
		else merged[k] = v;
	}
	return merged;
}

function optStringList(params: Params, name: string): string[] | undefined {
	const value = params[name];
	if (value === undefined) return undefined;
	if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
		throw invalidRequest(`Invalid array: ${name} must be a list of strings.`, { param: name });
	}
	return value;
}

function positiveAmount(value: number, param: string): number {
	if (value < 1) throw invalidRequest('Amount must be at least 1 (in the smallest currency unit).', { code: 'amount_too_small', param });
	if (value > 99_999_999) throw invalidRequest('Amount must be no more than 99999999.', { code: 'amount_too_large', param });
	return value;
}

// ---------------------------------------------------------------------------------------------
// Stripe objects as the peer keeps them (and returns them).
// ---------------------------------------------------------------------------------------------

type PaymentIntentStatus = 'requires_payment_method' | 'requires_confirmation' | 'requires_capture' | 'succeeded' | 'canceled';
const CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'] as const;
const CANCELLATION_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'] as const;
const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

interface PaymentIntent {
	id: string;
	object: 'payment_intent';
	amount: number;
	amount_capturable: number;
	amount_received: number;
	currency: string;
	status: PaymentIntentStatus;
	capture_method: (typeof CAPTURE_METHODS)[number];
	confirmation_method: 'automatic';
	client_secret: string;
	created: number;
	livemode: false;
	metadata: Record<string, string>;
	description: string | null;
	receipt_email: string | null;
	customer: string | null;
	payment_method: string | null;
	payment_method_types: string[];
	latest_charge: string | null;
	last_payment_error: Record<string, unknown> | null;
	canceled_at: number | null;
	cancellation_reason: string | null;
}

interface Charge {
	id: string;
	object: 'charge';
	amount: number;
	amount_captured: number;
	/** Sum of refunds only. (Real Stripe also counts the released part of a partial capture here.) */
	amount_refunded: number;
	captured: boolean;
	refunded: boolean;
	paid: true;
	status: 'succeeded';
	currency: string;
	metadata: Record<string, string>;
	description: string | null;
	payment_intent: string;
	payment_method: string;
	created: number;
	livemode: false;
}

interface Refund {
	id: string;
	object: 'refund';
	amount: number;
	charge: string;
	payment_intent: string;
	currency: string;
	status: 'succeeded';
	reason: string | null;
	metadata: Record<string, string>;
	created: number;
}

/** Stripe's test payment methods that decline, and why. Any other pm_… succeeds. */
const DECLINES: Record<string, string> = {
	pm_card_chargeDeclined: 'generic_decline',
	pm_card_visa_chargeDeclined: 'generic_decline',
	pm_card_chargeDeclinedInsufficientFunds: 'insufficient_funds',
	pm_card_visa_chargeDeclinedInsufficientFunds: 'insufficient_funds',
};

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newId(prefix: string, length = 24): string {
	const bytes = randomBytes(length);
	let id = '';
	for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
	return `${prefix}_${id}`;
}

function nowSeconds(): number {
	return Math.floor(Date.now() / 1000);
}

/** Shows a wrong key the way Stripe does, so a pasted live key never ends up whole in a log. */
function maskKey(key: string): string {
	const prefix = /^(sk|rk|pk)_(test|live)_/.exec(key)?.[0] ?? '';
	return key.length <= prefix.length + 8 ? `${prefix}****` : `${prefix}****${key.slice(-4)}`;
}

function sameSecret(given: string, expected: string): boolean {
	const a = Buffer.from(given);
	const b = Buffer.from(expected);
	return a.length === b.length && timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------
// Events and webhook delivery.
// ---------------------------------------------------------------------------------------------

type StripeObject = PaymentIntent | Charge | Refund;

/** The API request behind an event; Stripe puts its id and idempotency key on the event. */
interface EventOrigin {
	requestId: string;
	idempotencyKey?: string;
}

/**
 * Records events and hands them to the webhook delivery (webhookDelivery.ts): each event is
 * serialized once, so every attempt sends the very same bytes, signed afresh per attempt as Stripe
 * does (each carries a new timestamp).
 */
class WebhookSender {
	readonly events: StripeEvent[] = [];
	private readonly delivery: WebhookDelivery;
	private secret: string | undefined;

	constructor(
		retry: { attempts: number; delaysMs: number[] },
		/** Signs signPayload's headers when no webhook is set yet. */
		private readonly defaultSecret?: string,
	) {
		this.delivery = new WebhookDelivery({
			peer: 'Stripe',
			retry,
			userAgent: 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
			// No secret, no signature.
			headers: (payload): Record<string, string> => (this.secret ? { 'Stripe-Signature': this.sign(payload, { secret: this.secret }) } : {}),
		});
	}

	get deliveries(): StripePeer['deliveries'] {
		return this.delivery.deliveries;
	}

	setTarget(url: string, secret?: string): void {
		this.delivery.setTarget(url);
		this.secret = secret;
	}

	publish(type: string, object: StripeObject, origin: EventOrigin): void {
		const event: StripeEvent = {
			id: newId('evt'),
			object: 'event',
			api_version: Stripe.API_VERSION,
			created: nowSeconds(),
			livemode: false,
			pending_webhooks: this.delivery.hasTarget ? 1 : 0,
			request: { id: origin.requestId, idempotency_key: origin.idempotencyKey ?? null },
			type,
			// A snapshot: later changes to the object must not rewrite history.
			data: { object: structuredClone(object) as unknown as Record<string, unknown> },
		};
		this.events.push(event);
		this.delivery.publish(event.id, JSON.stringify(event));
	}

	redeliver(eventId: string, o: { times?: number; concurrent?: boolean } = {}): Promise<number[]> {
		return this.delivery.redeliver(eventId, o);
	}

	lose(count: number): void {
		this.delivery.lose(count);
	}

	/**
	 * GET /v1/events: newest first, `created[gte]`/`created[gt]`, `type` or `types[]`, `limit` (1–100,
	 * default 10), `starting_after` (an event id: the page of older ones), as Stripe lists.
	 */
	list(params: Params): object {
		rejectUnknown(params, ['created', 'type', 'types', 'limit', 'starting_after', 'expand']);
		const created = (params.created ?? {}) as Params;
		const gte = optInteger(created, 'gte');
		const gt = optInteger(created, 'gt');
		const types = params.types === undefined ? (params.type === undefined ? undefined : [String(params.type)]) : (params.types as string[]).map(String);
		const limit = optInteger(params, 'limit') ?? 10;
		if (limit < 1 || limit > 100) throw invalidRequest('Invalid limit: must be between 1 and 100', { param: 'limit' });
		let newestFirst = [...this.events].reverse().filter(
			(e) => (gte === undefined || e.created >= gte) && (gt === undefined || e.created > gt) && (types === undefined || types.includes(e.type)),
		);
		const after = optString(params, 'starting_after');
		if (after !== undefined) {
			const at = newestFirst.findIndex((e) => e.id === after);
			if (at < 0) throw noSuch('event', after, 'starting_after');
			newestFirst = newestFirst.slice(at + 1);
		}
		return { object: 'list', url: '/v1/events', has_more: newestFirst.length > limit, data: newestFirst.slice(0, limit) };
	}

	sign(payload: string, o: { timestamp?: number; secret?: string } = {}): string {
		const secret = o.secret ?? this.secret ?? this.defaultSecret;
		if (!secret) throw new Error('signPayload: no webhook secret configured or given');
		return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: o.timestamp });
	}

	stop(): void {
		this.delivery.stop();
	}
}

// ---------------------------------------------------------------------------------------------
// The payment objects and what each API call does to them (no HTTP here).
// ---------------------------------------------------------------------------------------------

interface RequestContext extends EventOrigin {
	params: Params;
}

type Emit = (type: string, object: StripeObject, origin: EventOrigin) => void;

class PaymentBook {
	private readonly paymentIntents = new Map<string, PaymentIntent>();
	private readonly charges = new Map<string, Charge>();
	private readonly refunds = new Map<string, Refund>();

	constructor(private readonly emit: Emit) {}

	intent(id: string, param = 'intent'): PaymentIntent {
		return this.paymentIntents.get(id) ?? throwError(noSuch('payment_intent', id, param));
	}

	charge(id: string, param = 'charge'): Charge {
		return this.charges.get(id) ?? throwError(noSuch('charge', id, param));
	}

	refund(id: string): Refund {
		return this.refunds.get(id) ?? throwError(noSuch('refund', id, 'refund'));
	}

	createIntent(ctx: RequestContext): PaymentIntent {
		const { params } = ctx;
		rejectUnknown(params, [
			'amount',
			'currency',
			'capture_method',
			'metadata',
			'description',
			'receipt_email',
			'payment_method',
			'payment_method_types',
			'confirm',
			'customer',
			'statement_descriptor',
			'statement_descriptor_suffix',
			'automatic_payment_methods',
			'return_url',
			'off_session',
			'setup_future_usage',
			'expand',
		]);
		const amount = optInteger(params, 'amount') ?? throwError(missingParam('amount'));
		const currency = optString(params, 'currency') ?? throwError(missingParam('currency'));
		if (!/^[a-zA-Z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}.`, { param: 'currency' });
		const paymentMethod = optString(params, 'payment_method') ?? null;
		const id = newId('pi');
		const pi: PaymentIntent = {
			id,
			object: 'payment_intent',
			amount: positiveAmount(amount, 'amount'),
			amount_capturable: 0,
			amount_received: 0,
			currency: currency.toLowerCase(),
			status: paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
			capture_method: optEnum(params, 'capture_method', CAPTURE_METHODS) ?? 'automatic',
			confirmation_method: 'automatic',
			client_secret: `${id}_secret_${newId('cs').slice(3)}`,
			created: nowSeconds(),
			livemode: false,
			metadata: optMetadata(params),
			description: optString(params, 'description') ?? null,
			receipt_email: optString(params, 'receipt_email') ?? null,
			customer: optString(params, 'customer') ?? null,
			payment_method: paymentMethod,
			payment_method_types: optStringList(params, 'payment_method_types') ?? ['card'],
			latest_charge: null,
			last_payment_error: null,
			canceled_at: null,
			cancellation_reason: null,
		};
		const confirm = optBoolean(params, 'confirm') ?? false;
		this.paymentIntents.set(pi.id, pi);
		this.emit('payment_intent.created', pi, ctx);
		return confirm ? this.confirm(pi, undefined, ctx) : pi;
	}

	confirmIntent(id: string, ctx: RequestContext): PaymentIntent {
		const pi = this.intent(id);
		rejectUnknown(ctx.params, ['payment_method', 'receipt_email', 'return_url', 'off_session', 'setup_future_usage', 'expand']);
		const receiptEmail = optString(ctx.params, 'receipt_email');
		if (receiptEmail !== undefined) pi.receipt_email = receiptEmail;
		return this.confirm(pi, optString(ctx.params, 'payment_method'), ctx);
	}

	captureIntent(id: string, ctx: RequestContext): PaymentIntent {
		const pi = this.intent(id);
		rejectUnknown(ctx.params, ['amount_to_capture', 'expand']);
		if (pi.status !== 'requires_capture') {
			throw unexpectedState(
				`This PaymentIntent could not be captured because it has a status of ${pi.status}. ` +
					'Only a PaymentIntent with one of the following statuses may be captured: requires_capture.',
			);
		}
		const amount = optInteger(ctx.params, 'amount_to_capture') ?? pi.amount_capturable;
		if (amount < 1) throw invalidRequest('amount_to_capture must be at least 1.', { code: 'amount_too_small', param: 'amount_to_capture' });
		if (amount > pi.amount_capturable) {
			throw invalidRequest(`amount_to_capture (${amount}) is greater than amount_capturable (${pi.amount_capturable}).`, {
				code: 'amount_too_large',
				param: 'amount_to_capture',
			});
		}
		const charge = this.charges.get(pi.latest_charge ?? '');
		if (charge) {
			charge.captured = true;
			charge.amount_captured = amount;
		}
		pi.status = 'succeeded';
		pi.amount_received = amount;
		pi.amount_capturable = 0;
		this.emit('payment_intent.succeeded', pi, ctx);
		return pi;
	}

	cancelIntent(id: string, ctx: RequestContext): PaymentIntent {
		const pi = this.intent(id);
		rejectUnknown(ctx.params, ['cancellation_reason', 'expand']);
		if (pi.status === 'succeeded' || pi.status === 'canceled') {
			throw unexpectedState(
				`You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the ` +
					'following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.',
			);
		}
		pi.cancellation_reason = optEnum(ctx.params, 'cancellation_reason', CANCELLATION_REASONS) ?? null;
		pi.status = 'canceled';
		pi.canceled_at = nowSeconds();
		pi.amount_capturable = 0;
		this.emit('payment_intent.canceled', pi, ctx);
		return pi;
	}

	createRefund(ctx: RequestContext): Refund {
		const { params } = ctx;
		rejectUnknown(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
		const charge = this.chargeToRefund(params);
		const remaining = charge.amount_captured - charge.amount_refunded;
		if (remaining <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
		const amount = positiveAmount(optInteger(params, 'amount') ?? remaining, 'amount');
		if (amount > remaining) {
			throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining}).`, {
				code: 'amount_too_large',
				param: 'amount',
			});
		}
		const refund: Refund = {
			id: newId('re'),
			object: 'refund',
			amount,
			charge: charge.id,
			payment_intent: charge.payment_intent,
			currency: charge.currency,
			status: 'succeeded',
			reason: optEnum(params, 'reason', REFUND_REASONS) ?? null,
			metadata: optMetadata(params),
			created: nowSeconds(),
		};
		this.refunds.set(refund.id, refund);
		charge.amount_refunded += amount;
		charge.refunded = charge.amount_refunded >= charge.amount_captured;
		this.emit('charge.refunded', charge, ctx);
		this.emit('refund.created', refund, ctx);
		return refund;
	}

	/** `expand[]=latest_charge` and the like: replace an id field with the object it names. */
	expanded(object: object, params: Params): Record<string, unknown> {
		const out: Record<string, unknown> = { ...object };
		for (const field of optStringList(params, 'expand') ?? []) {
			const ref = out[field];
			if (ref === null) continue;
			const target = typeof ref === 'string' ? this.findAny(ref) : undefined;
			if (!target) throw invalidRequest(`This property cannot be expanded (${field}).`, { param: 'expand' });
			out[field] = target;
		}
		return out;
	}

	/** Captured minus refunded, per currency: enough for a credential test and a plausible dashboard. */
	balance(): Record<string, unknown> {
		const byCurrency = new Map<string, number>();
		for (const c of this.charges.values()) {
			byCurrency.set(c.currency, (byCurrency.get(c.currency) ?? 0) + c.amount_captured - c.amount_refunded);
		}
		if (byCurrency.size === 0) byCurrency.set('usd', 0);
		const available = [...byCurrency].map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
		const pending = available.map((f) => ({ ...f, amount: 0, source_types: { card: 0 } }));
		return { object: 'balance', available, pending, livemode: false };
	}

	private confirm(pi: PaymentIntent, paymentMethodParam: string | undefined, ctx: RequestContext): PaymentIntent {
		if (pi.status !== 'requires_payment_method' && pi.status !== 'requires_confirmation') {
			throw unexpectedState(
				`You cannot confirm this PaymentIntent because it has a status of ${pi.status}. ` +
					'Only a PaymentIntent with one of the following statuses may be confirmed: requires_payment_method, requires_confirmation.',
			);
		}
		const paymentMethod = paymentMethodParam ?? pi.payment_method;
		if (!paymentMethod) {
			throw invalidRequest(
				"You cannot confirm this PaymentIntent because it's missing a payment method. " +
					'Confirm it again with a payment_method (for example pm_card_visa).',
				{ code: 'payment_intent_unexpected_state', param: 'payment_method' },
			);
		}
		if (!paymentMethod.startsWith('pm_')) throw noSuch('PaymentMethod', paymentMethod, 'payment_method');
		const declineCode = DECLINES[paymentMethod];
		if (declineCode) this.decline(pi, paymentMethod, declineCode, ctx);
		pi.payment_method = paymentMethod;
		pi.last_payment_error = null;
		pi.latest_charge = this.createCharge(pi, paymentMethod).id;
		if (pi.capture_method === 'manual') {
			pi.status = 'requires_capture';
			pi.amount_capturable = pi.amount;
			this.emit('payment_intent.amount_capturable_updated', pi, ctx);
		} else {
			pi.status = 'succeeded';
			pi.amount_received = pi.amount;
			this.emit('payment_intent.succeeded', pi, ctx);
		}
		return pi;
	}

	/** A declined card: the intent goes back to requires_payment_method and the caller gets a 402. */
	private decline(pi: PaymentIntent, paymentMethod: string, declineCode: string, ctx: RequestContext): never {
		const message = declineCode === 'insufficient_funds' ? 'Your card has insufficient funds.' : 'Your card was declined.';
		const paymentMethodObject = { id: paymentMethod, object: 'payment_method', type: 'card' };
		pi.status = 'requires_payment_method';
		// Stripe detaches the failed payment method; the error keeps it.
		pi.payment_method = null;
		pi.last_payment_error = {
			type: 'card_error',
			code: 'card_declined',
			decline_code: declineCode,
			message,
			payment_method: paymentMethodObject,
		};
		this.emit('payment_intent.payment_failed', pi, ctx);
		throw new ApiError(402, {
			type: 'card_error',
			code: 'card_declined',
			decline_code: declineCode,
			message,
			payment_intent: structuredClone(pi),
			payment_method: paymentMethodObject,
		});
	}

	private createCharge(pi: PaymentIntent, paymentMethod: string): Charge {
		const captured = pi.capture_method !== 'manual';
		const charge: Charge = {
			id: newId('ch'),
			object: 'charge',
			amount: pi.amount,
			amount_captured: captured ? pi.amount : 0,
			amount_refunded: 0,
			captured,
			refunded: false,
			paid: true,
			status: 'succeeded',
			currency: pi.currency,
			metadata: { ...pi.metadata },
			description: pi.description,
			payment_intent: pi.id,
			payment_method: paymentMethod,
			created: nowSeconds(),
			livemode: false,
		};
		this.charges.set(charge.id, charge);
		return charge;
	}

	private chargeToRefund(params: Params): Charge {
		const intentId = optString(params, 'payment_intent');
		const chargeId = optString(params, 'charge');
		if (chargeId !== undefined) return this.charge(chargeId);
		if (intentId === undefined) {
			throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', {
				code: 'parameter_missing',
				param: 'payment_intent',
			});
		}
		const pi = this.intent(intentId, 'payment_intent');
		const charge = this.charges.get(pi.latest_charge ?? '');
		if (!charge || !charge.captured) {
			throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, { param: 'payment_intent' });
		}
		return charge;
	}

	private findAny(id: string): StripeObject | undefined {
		return this.paymentIntents.get(id) ?? this.charges.get(id) ?? this.refunds.get(id);
	}
}

// ---------------------------------------------------------------------------------------------
// Idempotency.
// ---------------------------------------------------------------------------------------------

interface Reply {
	status: number;
	body: string;
	headers?: Record<string, string>;
}

interface StoredResponse {
	endpoint: string;
	fingerprint: string;
	status: number;
	body: string;
}

/** Stripe keeps keys for 24 hours; the peer keeps the most recent ones instead (oldest dropped first). */
const MAX_IDEMPOTENCY_KEYS = 10_000;

/** Idempotency as Stripe keeps it: a key is bound to one endpoint and one set of parameters. */
class IdempotencyStore {
	private readonly responses = new Map<string, StoredResponse>();

	run(key: string | undefined, endpoint: string, params: Params, execute: () => Reply): Reply {
		if (key === undefined) return execute();
		const fingerprint = canonical(params);
		const stored = this.responses.get(key);
		if (stored) return this.replay(stored, key, endpoint, fingerprint);
		const reply = execute();
		// Stripe saves a result once the request has executed: successes and card declines (which
		// change the intent), not validation errors that changed nothing and may be retried after a fix.
		if (reply.status < 400 || reply.status === 402) this.remember(key, { endpoint, fingerprint, status: reply.status, body: reply.body });
		return reply;
	}

	private replay(stored: StoredResponse, key: string, endpoint: string, fingerprint: string): Reply {
		const advice = `Try using a key other than '${key}' if you meant to execute a different request.`;
		if (stored.endpoint !== endpoint) {
			throw new ApiError(400, {
				type: 'idempotency_error',
				message:
					'Keys for idempotent requests can only be used for the same endpoint they were first used for ' +
					`('${stored.endpoint}' vs '${endpoint}'). ${advice}`,
			});
		}
		if (stored.fingerprint !== fingerprint) {
			throw new ApiError(400, {
				type: 'idempotency_error',
				message: `Keys for idempotent requests can only be used with the same parameters they were first used with. ${advice}`,
			});
		}
		return { status: stored.status, body: stored.body, headers: { 'Idempotent-Replayed': 'true' } };
	}

	/** The SDK keys every POST, so a long `npm start` session would otherwise grow this map forever. */
	private remember(key: string, response: StoredResponse): void {
		this.responses.set(key, response);
		if (this.responses.size > MAX_IDEMPOTENCY_KEYS) this.responses.delete(this.responses.keys().next().value as string);
	}
}

// ---------------------------------------------------------------------------------------------
// HTTP: authentication, parameters, replies.
// ---------------------------------------------------------------------------------------------

const MAX_BODY_BYTES = 1024 * 1024;

function json(status: number, body: unknown): Reply {
	return { status, body: JSON.stringify(body, null, 2) };
}

function errorReply(error: ApiError): Reply {
	return json(error.status, { error: error.detail });
}

/** failNext's answer: Stripe's rate-limit body for 429, an api_error for anything else. */
function injectedFailure(status: number): Reply {
	if (status === 429) {
		return json(429, {
			error: {
				type: 'invalid_request_error',
				code: 'rate_limit',
				message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
			},
		});
	}
	return json(status, {
		error: { type: 'api_error', message: 'An unknown error occurred while processing your request (injected by the Stripe peer).' },
	});
}

/** Bearer, or Basic with the key as user name. Stripe answers 401 with an invalid_request_error. */
function authError(req: http.IncomingMessage, secretKey: string): ApiError | undefined {
	const [scheme = '', credentials = ''] = (req.headers.authorization ?? '').split(' ', 2);
	let key: string | undefined;
	if (/^bearer$/i.test(scheme)) key = credentials.trim();
	else if (/^basic$/i.test(scheme)) key = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0];
	if (!key) {
		return invalidRequest(
			'You did not provide an API key. You need to provide your API key in the Authorization header, ' +
				"using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
			{},
			401,
		);
	}
	return sameSecret(key, secretKey) ? undefined : invalidRequest(`Invalid API Key provided: ${maskKey(key)}`, {}, 401);
}

/** Query string for reads, form body for writes; raw card numbers are refused before anything is kept. */
function readParams(req: http.IncomingMessage, url: URL, body: string): Params {
	const isWrite = req.method === 'POST';
	const source = isWrite ? body : url.search.slice(1);
	const contentType = String(req.headers['content-type'] ?? '');
	if (isWrite && body.length > 0 && !contentType.startsWith('application/x-www-form-urlencoded')) {
		throw invalidRequest(
			`Invalid request: unsupported Content-Type ${contentType || '(none)'}. ` +
				'Stripe takes application/x-www-form-urlencoded bodies with bracket notation (metadata[key]=value).',
		);
	}
	for (const key of new URLSearchParams(source).keys()) {
		if (isRawCardKey(key)) {
			throw invalidRequest(
				'Sending credit card numbers directly to the Stripe API is generally unsafe: raw card numbers are not accepted. ' +
					'Collect card details with Stripe (Checkout, Elements, a Payment Link) and pass a payment method id such as pm_card_visa.',
			);
		}
	}
	return parseStripeForm(source);
}

/** Returns the object to answer with; `route` applies `expand[]` to it. */
type Handler = (ctx: RequestContext, id: string) => object;
interface Route {
	method: 'GET' | 'POST';
	pattern: RegExp;
	handler: Handler;
	/** Query parameters a read takes besides `expand` (lists). */
	params?: string[];
}

function apiRoutes(book: PaymentBook, sender: WebhookSender): Route[] {
	const path = (p: string) => new RegExp(`^/v1/${p.replace(':id', '([A-Za-z0-9_]+)')}$`);
	return [
		{ method: 'GET', pattern: path('balance'), handler: () => book.balance() },
		{ method: 'POST', pattern: path('payment_intents'), handler: (ctx) => book.createIntent(ctx) },
		{ method: 'GET', pattern: path('payment_intents/:id'), handler: (_ctx, id) => book.intent(id) },
		{ method: 'POST', pattern: path('payment_intents/:id/confirm'), handler: (ctx, id) => book.confirmIntent(id, ctx) },
		{ method: 'POST', pattern: path('payment_intents/:id/capture'), handler: (ctx, id) => book.captureIntent(id, ctx) },
		{ method: 'POST', pattern: path('payment_intents/:id/cancel'), handler: (ctx, id) => book.cancelIntent(id, ctx) },
		{ method: 'POST', pattern: path('refunds'), handler: (ctx) => book.createRefund(ctx) },
		{ method: 'GET', pattern: path('refunds/:id'), handler: (_ctx, id) => book.refund(id) },
		{ method: 'GET', pattern: path('charges/:id'), handler: (_ctx, id) => book.charge(id) },
		{ method: 'GET', pattern: path('events'), handler: (ctx) => sender.list(ctx.params), params: ['created', 'type', 'types', 'limit', 'starting_after'] },
		{
			method: 'GET',
			pattern: path('events/:id'),
			handler: (_ctx, id) => sender.events.find((e) => e.id === id) ?? throwError(noSuch('event', id, 'id')),
		},
	];
}

function route(routes: Route[], book: PaymentBook, method: string, path: string, ctx: RequestContext): Reply {
	for (const r of routes) {
		const match = r.pattern.exec(path);
		if (!match || r.method !== method) continue;
		// Reads take no parameters but `expand`; each write checks its own list.
		if (method === 'GET') rejectUnknown(ctx.params, ['expand', ...(r.params ?? [])]);
		return json(200, book.expanded(r.handler(ctx, match[1] ?? ''), ctx.params));
	}
	throw invalidRequest(
		`Unrecognized request URL (${method}: ${path}). The Stripe peer implements balance, payment_intents, refunds, charges and events.`,
		{},
		404,
	);
}

// ---------------------------------------------------------------------------------------------
// The peer.
// ---------------------------------------------------------------------------------------------

export async function startStripePeer(opts: StripePeerOptions): Promise<StripePeer> {
	if (!opts.secretKey) throw new Error('startStripePeer: secretKey is required');
	const sender = new WebhookSender(opts.webhookRetry ?? { attempts: 3, delaysMs: [200, 1000] }, opts.webhookSecret);
	if (opts.webhookUrl) sender.setTarget(opts.webhookUrl, opts.webhookSecret);
	const book = new PaymentBook((type, object, origin) => sender.publish(type, object, origin));
	const routes = apiRoutes(book, sender);
	const idempotency = new IdempotencyStore();
	const requests: StripePeer['requests'] = [];
	let failures = { remaining: 0, status: 500 };

	/** Everything after the body has arrived runs synchronously, so concurrent requests cannot interleave. */
	function answer(req: http.IncomingMessage, url: URL, body: string, origin: EventOrigin): Reply {
		if (failures.remaining > 0) {
			failures.remaining--;
			return injectedFailure(failures.status);
		}
		try {
			const denied = authError(req, opts.secretKey);
			if (denied) return errorReply(denied);
			const method = req.method ?? 'GET';
			const params = readParams(req, url, body);
			// Stripe ignores idempotency keys on reads.
			const key = method === 'POST' ? origin.idempotencyKey : undefined;
			const ctx: RequestContext = { params, requestId: origin.requestId, idempotencyKey: key };
			return idempotency.run(key, `${method} ${url.pathname}`, params, () => {
				try {
					return route(routes, book, method, url.pathname, ctx);
				} catch (error) {
					if (error instanceof ApiError) return errorReply(error);
					throw error;
				}
			});
		} catch (error) {
			if (error instanceof ApiError) return errorReply(error);
			return json(500, { error: { type: 'api_error', message: `The Stripe peer failed: ${(error as Error).message}` } });
		}
	}

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const header = req.headers['idempotency-key'];
		const idempotencyKey = typeof header === 'string' ? header : undefined;
		// The path only: a query string could carry card data, and this log must never hold it.
		requests.push({ method: req.method ?? 'GET', path: url.pathname, ...(idempotencyKey ? { idempotencyKey } : {}) });
		const requestId = newId('req', 14);
		const body = (await readLimitedBody(req, MAX_BODY_BYTES)).text;
		const reply =
			body === undefined
				? errorReply(invalidRequest('Request body too large.', {}, 413))
				: answer(req, url, body, { requestId, idempotencyKey });
		res.writeHead(reply.status, {
			'Content-Type': 'application/json',
			'Content-Length': Buffer.byteLength(reply.body),
			'Request-Id': requestId,
			'Stripe-Version': Stripe.API_VERSION,
			...(idempotencyKey && req.method === 'POST' ? { 'Idempotency-Key': idempotencyKey } : {}),
			...reply.headers,
		});
		res.end(reply.body);
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch(() => {
			if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ error: { type: 'api_error', message: 'The Stripe peer could not read the request.' } }));
		});
	});
	const port = await listenOnLoopback(server, opts.port);

	let closing: Promise<void> | undefined;
	function stop(): Promise<void> {
		if (!closing) {
			sender.stop();
			// Keep-alive sockets from SDK clients are ended too.
			closing = closeServer(server);
		}
		return closing;
	}

	return {
		url: `http://127.0.0.1:${port}`,
		port,
		setWebhook: (url, secret) => sender.setTarget(url, secret),
		events: sender.events,
		deliveries: sender.deliveries,
		redeliver: (eventId, o) => sender.redeliver(eventId, o),
		signPayload: (payload, o) => sender.sign(payload, o),
		loseWebhooks: (n) => sender.lose(n),
		failNext(n, status = 500) {
			failures = { remaining: n, status };
		},
		requests,
		stop,
	};
}

function throwError(error: Error): never {
	throw error;
}
