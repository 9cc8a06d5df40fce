/**
 * The Stripe peer, driven by the real `stripe` library as its client, with a small local webhook
 * receiver that checks every delivery with the library's own `webhooks.constructEvent`. Everything
 * runs on 127.0.0.1 with short retry delays, and every server is closed after each test.
 */
import http from 'node:http';
import Stripe from 'stripe';
import { parseStripeForm, startStripePeer, type StripePeer, type StripePeerOptions } from './stripePeer';
import { closeServer, listenOnLoopback } from './localServer';

const SECRET_KEY = 'sk_test_peer_0123456789abcdef';
const WEBHOOK_SECRET = 'whsec_peer_test_secret';
const FAST_RETRY = { attempts: 3, delaysMs: [20, 40] };

interface Received {
	event: Stripe.Event;
	raw: string;
	contentType?: string;
}

interface Receiver {
	url: string;
	/** Deliveries whose signature verified, in arrival order. */
	received: Received[];
	/** Deliveries whose signature did not verify. */
	rejected: number;
	/** Statuses to answer with, one per verified delivery; then `fallback`. */
	statuses: number[];
	fallback: number;
	close(): Promise<void>;
}

async function startReceiver(secret = WEBHOOK_SECRET): Promise<Receiver> {
	const receiver: Receiver = { url: '', received: [], rejected: 0, statuses: [], fallback: 200, close: async () => undefined };
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let event: Stripe.Event;
			try {
				event = Stripe.webhooks.constructEvent(raw, req.headers['stripe-signature'] ?? '', secret);
			} catch {
				receiver.rejected++;
				res.writeHead(400).end();
				return;
			}
			receiver.received.push({ event, raw, contentType: req.headers['content-type'] });
			res.writeHead(receiver.statuses.shift() ?? receiver.fallback).end();
		});
	});
	receiver.url = `http://127.0.0.1:${await listenOnLoopback(server)}/stripe/webhook`;
	receiver.close = () => closeServer(server);
	return receiver;
}

function client(peer: StripePeer, key = SECRET_KEY, maxNetworkRetries = 0): Stripe {
	return new Stripe(key, { host: '127.0.0.1', port: peer.port, protocol: 'http', maxNetworkRetries, telemetry: false });
}

/** Polls until `check` holds; webhook delivery is asynchronous by design. */
async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
		await new Promise((r) => setTimeout(r, 10));
	}
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A request outside the SDK, for what the SDK would never send (raw card data, no auth, JSON). */
function raw(
	peer: StripePeer,
	method: string,
	path: string,
	o: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: any }> {
	return new Promise((resolve, reject) => {
		const headers = { Authorization: `Bearer ${SECRET_KEY}`, 'Content-Type': 'application/x-www-form-urlencoded', ...o.headers };
		const req = http.request(`${peer.url}${path}`, { method, headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
		});
		req.on('error', reject);
		req.end(o.body ?? '');
	});
}

function typesOf(peer: StripePeer): string[] {
	return peer.events.map((e) => e.type);
}

let peer: StripePeer;
let receiver: Receiver;
let stripe: Stripe;
const extraPeers: StripePeer[] = [];

async function extraPeer(opts: Partial<StripePeerOptions>): Promise<StripePeer> {
	const p = await startStripePeer({ secretKey: SECRET_KEY, webhookRetry: FAST_RETRY, ...opts });
	extraPeers.push(p);
	return p;
}

beforeEach(async () => {
	receiver = await startReceiver();
	peer = await startStripePeer({ secretKey: SECRET_KEY, webhookUrl: receiver.url, webhookSecret: WEBHOOK_SECRET, webhookRetry: FAST_RETRY });
	stripe = client(peer);
});

afterEach(async () => {
	await Promise.all([peer.stop(), ...extraPeers.splice(0).map((p) => p.stop())]);
	await receiver.close();
});

describe('parseStripeForm', () => {
	it('reads bracket notation into nested objects and arrays', () => {
		const body =
			'amount=1000&metadata[reservation_id]=R1&metadata%5Bguest%5D=Ana+Lopez&payment_method_types[0]=card' +
			'&payment_method_types[1]=sepa_debit&expand[]=latest_charge&a[b][c]=deep';
		expect(parseStripeForm(body)).toEqual({
			amount: '1000',
			metadata: { reservation_id: 'R1', guest: 'Ana Lopez' },
			payment_method_types: ['card', 'sepa_debit'],
			expand: ['latest_charge'],
			a: { b: { c: 'deep' } },
		});
	});

	it('keeps metadata an object even when its keys are numbers', () => {
		expect(parseStripeForm('metadata[0]=first&metadata[1]=second')).toEqual({ metadata: { '0': 'first', '1': 'second' } });
	});

	it('refuses a key given both as a value and as an object, and prototype keys', () => {
		expect(() => parseStripeForm('a=1&a[b]=2')).toThrow(/Invalid hash/);
		expect(() => parseStripeForm('__proto__[polluted]=yes')).toThrow(/Invalid parameter name/);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});
});

describe('Stripe peer with the real SDK', () => {
	it('creates and confirms a payment, and delivers signed events to the webhook', async () => {
		const balance = await stripe.balance.retrieve();
		expect(balance.object).toBe('balance');

		const created = await stripe.paymentIntents.create({ amount: 12000, currency: 'EUR', metadata: { reservation_id: 'R1' } });
		expect(created).toMatchObject({
			object: 'payment_intent',
			amount: 12000,
			currency: 'eur',
			status: 'requires_payment_method',
			capture_method: 'automatic',
			livemode: false,
			latest_charge: null,
			metadata: { reservation_id: 'R1' },
		});
		expect(created.id).toMatch(/^pi_/);
		expect(created.client_secret).toMatch(new RegExp(`^${created.id}_secret_`));

		const confirmed = await stripe.paymentIntents.confirm(created.id, { payment_method: 'pm_card_visa' });
		expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 12000, amount_capturable: 0, last_payment_error: null });
		expect(confirmed.latest_charge).toMatch(/^ch_/);

		const withCharge = await stripe.paymentIntents.retrieve(created.id, { expand: ['latest_charge'] });
		expect(withCharge.latest_charge).toMatchObject({ id: confirmed.latest_charge, amount_captured: 12000, amount_refunded: 0 });

		expect(typesOf(peer)).toEqual(['payment_intent.created', 'payment_intent.succeeded']);
		await waitFor(() => receiver.received.length === 2);
		expect(receiver.rejected).toBe(0);
		expect(receiver.received.map((r) => r.event.id).sort()).toEqual(peer.events.map((e) => e.id).sort());
		const succeeded = receiver.received.find((r) => r.event.type === 'payment_intent.succeeded');
		expect(succeeded?.contentType).toBe('application/json');
		expect(succeeded?.event).toMatchObject({ object: 'event', livemode: false, api_version: Stripe.API_VERSION });
		expect(succeeded?.event.data.object).toMatchObject({ id: created.id, status: 'succeeded', metadata: { reservation_id: 'R1' } });
		await waitFor(() => peer.deliveries.length === 2);
		expect(peer.deliveries.map((d) => d.status)).toEqual([200, 200]);
		// The event snapshot is the object as it was then, not as it is now.
		expect(peer.events[0].data.object.status).toBe('requires_payment_method');
	});

	it('authorises with manual capture, captures part, and cancels another authorisation', async () => {
		const pi = await stripe.paymentIntents.create({
			amount: 5000,
			currency: 'usd',
			capture_method: 'manual',
			payment_method: 'pm_card_visa',
			confirm: true,
		});
		expect(pi).toMatchObject({ status: 'requires_capture', amount_capturable: 5000, amount_received: 0 });
		expect(typesOf(peer)).toEqual(['payment_intent.created', 'payment_intent.amount_capturable_updated']);

		await expect(stripe.paymentIntents.capture(pi.id, { amount_to_capture: 6000 })).rejects.toMatchObject({
			type: 'StripeInvalidRequestError',
			statusCode: 400,
			param: 'amount_to_capture',
		});
		const captured = await stripe.paymentIntents.capture(pi.id, { amount_to_capture: 4000 });
		expect(captured).toMatchObject({ status: 'succeeded', amount_received: 4000, amount_capturable: 0 });
		await expect(stripe.paymentIntents.capture(pi.id)).rejects.toMatchObject({ code: 'payment_intent_unexpected_state' });
		await expect(stripe.paymentIntents.cancel(pi.id)).rejects.toMatchObject({ code: 'payment_intent_unexpected_state', statusCode: 400 });

		// A full refund of a partial capture gives back what was captured, not the authorised amount.
		const refund = await stripe.refunds.create({ payment_intent: pi.id });
		expect(refund.amount).toBe(4000);

		const other = await stripe.paymentIntents.create({ amount: 900, currency: 'usd', capture_method: 'manual' });
		await stripe.paymentIntents.confirm(other.id, { payment_method: 'pm_card_mastercard' });
		const canceled = await stripe.paymentIntents.cancel(other.id, { cancellation_reason: 'requested_by_customer' });
		expect(canceled).toMatchObject({ status: 'canceled', cancellation_reason: 'requested_by_customer', amount_capturable: 0 });
		expect(canceled.canceled_at).toEqual(expect.any(Number));
		expect(typesOf(peer)).toContain('payment_intent.canceled');
		await expect(stripe.refunds.create({ payment_intent: other.id })).rejects.toMatchObject({ statusCode: 400 });
	});

	it('declines pm_card_chargeDeclined with a 402 card error and a payment_failed event, then accepts a good card', async () => {
		const pi = await stripe.paymentIntents.create({ amount: 2500, currency: 'eur', payment_method: 'pm_card_chargeDeclined' });
		expect(pi.status).toBe('requires_confirmation');

		const error = await stripe.paymentIntents.confirm(pi.id).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
		expect(error).toMatchObject({ statusCode: 402, code: 'card_declined', decline_code: 'generic_decline' });
		expect((error as Stripe.errors.StripeCardError).payment_intent?.id).toBe(pi.id);

		const after = await stripe.paymentIntents.retrieve(pi.id);
		expect(after).toMatchObject({ status: 'requires_payment_method', payment_method: null, latest_charge: null });
		expect(after.last_payment_error).toMatchObject({ type: 'card_error', code: 'card_declined' });
		expect(typesOf(peer)).toEqual(['payment_intent.created', 'payment_intent.payment_failed']);
		await waitFor(() => receiver.received.some((r) => r.event.type === 'payment_intent.payment_failed'));

		const retried = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
		expect(retried).toMatchObject({ status: 'succeeded', last_payment_error: null });

		await expect(
			stripe.paymentIntents.create({ amount: 100, currency: 'eur', payment_method: 'pm_card_visa_chargeDeclined', confirm: true }),
		).rejects.toMatchObject({ type: 'StripeCardError', code: 'card_declined' });
		await expect(stripe.paymentIntents.confirm(pi.id, { payment_method: 'tok_visa' })).rejects.toMatchObject({ statusCode: 400 });
	});

	it('refunds part, then the rest, with cumulative amount_refunded on charge.refunded events', async () => {
		const pi = await stripe.paymentIntents.create({
			amount: 10000,
			currency: 'eur',
			metadata: { reservation_id: 'R7' },
			payment_method: 'pm_card_visa',
			confirm: true,
		});
		const partial = await stripe.refunds.create({ payment_intent: pi.id, amount: 3000, reason: 'requested_by_customer' });
		expect(partial).toMatchObject({ object: 'refund', status: 'succeeded', amount: 3000, payment_intent: pi.id, reason: 'requested_by_customer' });

		await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 8000 })).rejects.toMatchObject({
			statusCode: 400,
			code: 'amount_too_large',
			param: 'amount',
		});
		const rest = await stripe.refunds.create({ payment_intent: pi.id });
		expect(rest.amount).toBe(7000);
		await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({ code: 'charge_already_refunded' });
		expect(await stripe.refunds.retrieve(partial.id)).toMatchObject({ id: partial.id, amount: 3000 });
		await expect(stripe.refunds.create({ payment_intent: 'pi_missing' })).rejects.toMatchObject({
			statusCode: 404,
			code: 'resource_missing',
		});

		const chargeEvents = peer.events.filter((e) => e.type === 'charge.refunded').map((e) => e.data.object);
		expect(chargeEvents).toEqual([
			expect.objectContaining({ payment_intent: pi.id, amount: 10000, amount_refunded: 3000, refunded: false, currency: 'eur' }),
			expect.objectContaining({ payment_intent: pi.id, amount: 10000, amount_refunded: 10000, refunded: true }),
		]);
		expect(chargeEvents[0].metadata).toEqual({ reservation_id: 'R7' });
		expect(typesOf(peer).filter((t) => t === 'refund.created')).toHaveLength(2);
		await waitFor(() => receiver.received.length === peer.events.length);
		expect(receiver.rejected).toBe(0);
	});

	it('replays a repeated idempotent request and refuses the same key with other parameters', async () => {
		const params = { amount: 4200, currency: 'eur', metadata: { reservation_id: 'R9' } };
		const first = await stripe.paymentIntents.create(params, { idempotencyKey: 'create-R9' });
		const second = await stripe.paymentIntents.create(params, { idempotencyKey: 'create-R9' });
		expect(second.id).toBe(first.id);
		expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
		expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
		expect(typesOf(peer)).toEqual(['payment_intent.created']);

		const mismatch = await stripe.paymentIntents.create({ ...params, amount: 4300 }, { idempotencyKey: 'create-R9' }).catch((e: unknown) => e);
		expect(mismatch).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
		expect(mismatch).toMatchObject({ statusCode: 400 });
		expect((mismatch as Error).message).toMatch(/^Keys for idempotent requests can only be used with the same parameters they were first used with/);
		await expect(stripe.refunds.create({ payment_intent: first.id }, { idempotencyKey: 'create-R9' })).rejects.toMatchObject({
			type: 'StripeIdempotencyError',
		});

		// A request refused for its parameters changed nothing, so the key may be used again once fixed.
		await expect(stripe.paymentIntents.create({ amount: 0, currency: 'eur' }, { idempotencyKey: 'fixed-later' })).rejects.toMatchObject({
			code: 'amount_too_small',
		});
		expect((await stripe.paymentIntents.create({ amount: 10, currency: 'eur' }, { idempotencyKey: 'fixed-later' })).amount).toBe(10);
		expect(peer.requests.filter((r) => r.idempotencyKey === 'create-R9')).toHaveLength(4);
	});

	it('refuses a wrong or missing key with 401, and accepts Basic auth with the key as user name', async () => {
		const wrongKey = 'sk_test_wrong_key_98765';
		const error = await client(peer, wrongKey)
			.balance.retrieve()
			.catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
		expect(error).toMatchObject({ statusCode: 401 });
		expect((error as Error).message).not.toContain(wrongKey);

		const missing = await raw(peer, 'GET', '/v1/balance', { headers: { Authorization: '' } });
		expect(missing.status).toBe(401);
		expect(missing.json.error).toMatchObject({ type: 'invalid_request_error', message: expect.stringMatching(/did not provide an API key/) });

		const basic = await raw(peer, 'GET', '/v1/balance', { headers: { Authorization: `Basic ${Buffer.from(`${SECRET_KEY}:`).toString('base64')}` } });
		expect(basic.status).toBe(200);
	});

	it('fails the next n requests on demand with Stripe error bodies, without side effects', async () => {
		peer.failNext(2, 503);
		for (let i = 0; i < 2; i++) {
			await expect(stripe.paymentIntents.create({ amount: 100, currency: 'eur' })).rejects.toMatchObject({
				type: 'StripeAPIError',
				statusCode: 503,
				raw: expect.objectContaining({ type: 'api_error' }),
			});
		}
		expect(peer.events).toHaveLength(0);
		await expect(stripe.paymentIntents.create({ amount: 100, currency: 'eur' })).resolves.toMatchObject({ amount: 100 });

		peer.failNext(1, 429);
		await expect(stripe.balance.retrieve()).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);

		// The SDK's own retry reuses its idempotency key, and the failed attempt was not remembered.
		peer.failNext(1, 500);
		const retrying = client(peer, SECRET_KEY, 1);
		const pi = await retrying.paymentIntents.create({ amount: 200, currency: 'eur' });
		const attempts = peer.requests.slice(-2);
		expect(attempts.map((r) => r.idempotencyKey)).toEqual([attempts[0].idempotencyKey, attempts[0].idempotencyKey]);
		expect(peer.events.filter((e) => e.type === 'payment_intent.created').map((e) => e.data.object.id)).toContain(pi.id);
		expect(peer.events.filter((e) => e.type === 'payment_intent.created')).toHaveLength(2);
	});

	it('refuses raw card numbers without keeping them anywhere', async () => {
		const pan = '4242424242424242';
		const bodies = [
			`amount=1000&currency=eur&payment_method_data[type]=card&payment_method_data[card][number]=${pan}`,
			`amount=1000&currency=eur&card%5Bnumber%5D=${pan}`,
		];
		for (const body of bodies) {
			const res = await raw(peer, 'POST', '/v1/payment_intents', { body, headers: { 'Idempotency-Key': `card-${body.length}` } });
			expect(res.status).toBe(400);
			expect(res.json.error.message).toMatch(/raw card numbers are not accepted/);
			expect(JSON.stringify(res.json)).not.toContain(pan);
		}
		const viaQuery = await raw(peer, 'GET', `/v1/balance?card[number]=${pan}`);
		expect(viaQuery.status).toBe(400);

		const params = { amount: 1000, currency: 'eur', payment_method_data: { type: 'card', card: { number: pan } } };
		await expect(stripe.paymentIntents.create(params as unknown as Stripe.PaymentIntentCreateParams)).rejects.toMatchObject({
			type: 'StripeInvalidRequestError',
		});
		expect(peer.events).toHaveLength(0);
		expect(JSON.stringify({ requests: peer.requests, events: peer.events })).not.toContain(pan);
	});

	it('answers bad requests the way Stripe does', async () => {
		await expect(stripe.paymentIntents.create({ currency: 'eur' } as Stripe.PaymentIntentCreateParams)).rejects.toMatchObject({
			code: 'parameter_missing',
			param: 'amount',
		});
		await expect(stripe.paymentIntents.create({ amount: 100 } as Stripe.PaymentIntentCreateParams)).rejects.toMatchObject({
			code: 'parameter_missing',
			param: 'currency',
		});
		await expect(stripe.paymentIntents.create({ amount: 100, currency: 'euro' })).rejects.toMatchObject({ param: 'currency' });
		const typo = { amount: 100, currency: 'eur', amout: 100 } as unknown as Stripe.PaymentIntentCreateParams;
		await expect(stripe.paymentIntents.create(typo)).rejects.toMatchObject({ code: 'parameter_unknown', param: 'amout' });
		await expect(stripe.paymentIntents.retrieve('pi_nope')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });

		expect((await raw(peer, 'GET', '/v1/customers')).status).toBe(404);
		const jsonBody = await raw(peer, 'POST', '/v1/payment_intents', {
			body: '{"amount":100}',
			headers: { 'Content-Type': 'application/json' },
		});
		expect(jsonBody.status).toBe(400);
	});
});

describe('webhook delivery', () => {
	it('retries a delivery the receiver answered with 500', async () => {
		receiver.statuses.push(500);
		await stripe.paymentIntents.create({ amount: 100, currency: 'eur' });
		const [event] = peer.events;
		await waitFor(() => peer.deliveries.length === 2);
		expect(peer.deliveries.map((d) => [d.eventId, d.status])).toEqual([
			[event.id, 500],
			[event.id, 200],
		]);
		// Both attempts carried the same bytes, freshly signed.
		expect(receiver.received.map((r) => r.raw)).toEqual([receiver.received[0].raw, receiver.received[0].raw]);
	});

	it('gives up after the configured attempts, for error answers and for unreachable receivers', async () => {
		receiver.fallback = 500;
		await stripe.paymentIntents.create({ amount: 100, currency: 'eur' });
		await waitFor(() => peer.deliveries.length === 3);
		await sleep(150);
		expect(peer.deliveries.map((d) => d.status)).toEqual([500, 500, 500]);

		const closed = await startReceiver();
		await closed.close();
		const unreachable = await extraPeer({ webhookUrl: closed.url, webhookSecret: WEBHOOK_SECRET, webhookRetry: { attempts: 2, delaysMs: [10] } });
		await client(unreachable).paymentIntents.create({ amount: 100, currency: 'eur' });
		await waitFor(() => unreachable.deliveries.length === 2);
		await sleep(100);
		expect(unreachable.deliveries.map((d) => d.status)).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
	});

	it('stop() cancels pending redeliveries', async () => {
		receiver.fallback = 500;
		const slow = await extraPeer({ webhookUrl: receiver.url, webhookSecret: WEBHOOK_SECRET, webhookRetry: { attempts: 5, delaysMs: [10_000] } });
		await client(slow).paymentIntents.create({ amount: 100, currency: 'eur' });
		await waitFor(() => slow.deliveries.length === 1);
		const started = Date.now();
		await slow.stop();
		expect(Date.now() - started).toBeLessThan(1000);
		expect(slow.deliveries).toHaveLength(1);
	});

	it('redelivers an event on demand, concurrently, and signs any payload for signature tests', async () => {
		const noWebhook = await extraPeer({});
		await client(noWebhook).paymentIntents.create({ amount: 100, currency: 'eur' });
		expect(noWebhook.deliveries).toHaveLength(0);
		noWebhook.setWebhook(receiver.url, WEBHOOK_SECRET);
		const eventId = noWebhook.events[0].id;

		expect(await noWebhook.redeliver(eventId, { times: 3, concurrent: true })).toEqual([200, 200, 200]);
		expect(await noWebhook.redeliver(eventId)).toEqual([200]);
		expect(receiver.received.map((r) => r.event.id)).toEqual([eventId, eventId, eventId, eventId]);
		await expect(noWebhook.redeliver('evt_unknown')).rejects.toThrow(/No such event/);

		const payload = JSON.stringify({ id: 'evt_test', object: 'event', type: 'payment_intent.succeeded', data: { object: {} } });
		expect(Stripe.webhooks.constructEvent(payload, noWebhook.signPayload(payload), WEBHOOK_SECRET).id).toBe('evt_test');
		const old = noWebhook.signPayload(payload, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
		expect(() => Stripe.webhooks.constructEvent(payload, old, WEBHOOK_SECRET)).toThrow(/tolerance/i);
		const forged = noWebhook.signPayload(payload, { secret: 'whsec_someone_else' });
		expect(() => Stripe.webhooks.constructEvent(payload, forged, WEBHOOK_SECRET)).toThrow(Stripe.errors.StripeSignatureVerificationError);
	});
});
