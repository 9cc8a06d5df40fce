/**
 * The Hotel Payment node on its own: a fake n8n context, Stripe answered by nock, the hotel
 * database on the real PostgreSQL. Checks what a hotel relies on: idempotency keys that make
 * re-runs harmless, card numbers refused before anything is sent, retries of Stripe outages
 * and clear errors for refusals.
 */
import nock from 'nock';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { HotelPayment } from '../../nodes/HotelPayment/HotelPayment.node';
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import { closeAllStores, getStore } from '../../lib/store/db';
import { createTestDatabase, type TestDatabase } from '../support/services';
import { fakeExecuteContext, type FakeRun } from '../support/fakeExecuteContext';
import { startSquarePeer, type SquarePeer } from '../peers/squarePeer';
import { insertBareReservations } from '../support/reservationRows';

const STRIPE = 'https://api.stripe.test';
let database: TestDatabase;
let square: SquarePeer;

beforeAll(async () => {
	database = await createTestDatabase('paynode');
	square = await startSquarePeer({ accessToken: 'EAAA-node-token' });
	await insertBareReservations(await getStore(database.config), ['R-NODE-1', 'R-SQN-1', 'R-SQN-2', 'R-SQN-3', 'R-SQN-4', "R-Zoë's", 'R-NODE-LATER']);
	nock.disableNetConnect();
	nock.enableNetConnect(/127\.0\.0\.1/); // the real PostgreSQL
});
afterAll(async () => {
	await square.stop();
	nock.enableNetConnect();
	await closeAllStores();
	await database.drop();
});
beforeEach(() => resetPartnerPolicies());
afterEach(() => nock.cleanAll());

function run(params: Record<string, unknown>, opts: Partial<FakeRun> = {}) {
	const { config } = database;
	return fakeExecuteContext({
		node: { type: 'n8n-nodes-hotel-integrations.hotelPayment', parameters: { database: 'postgres', ...params } },
		items: opts.items ?? [{}],
		continueOnFail: opts.continueOnFail,
		credentials: {
			hotelStripeApi: { secretKey: 'sk_test_node', webhookSecret: 'whsec_x', baseUrl: STRIPE },
			hotelSquareApi: { accessToken: 'EAAA-node-token', environment: 'custom', baseUrl: square.url, locationId: square.locationId },
			hotelPostgresApi: { host: config.host, port: config.port, database: config.database, user: config.user, password: config.password ?? '' },
		},
	});
}

const paymentIntent = (over: Record<string, unknown> = {}) => ({
	id: 'pi_node_1',
	object: 'payment_intent',
	amount: 18000,
	amount_received: 0,
	amount_capturable: 0,
	currency: 'eur',
	capture_method: 'automatic',
	status: 'requires_payment_method',
	metadata: { reservation_id: 'R-NODE-1', payment_reference: 'deposit' },
	...over,
});

const createParams = { resource: 'paymentIntent', operation: 'create', reservationId: 'R-NODE-1', amount: 18000, currency: 'EUR', paymentReference: 'deposit', additionalFields: {} };

it('creates a payment intent with an idempotency key derived from reservation, operation and reference — the same on a re-run', async () => {
	const keys: string[] = [];
	const bodies: string[] = [];
	nock(STRIPE)
		.post('/v1/payment_intents')
		.times(2)
		.reply(function (_uri, body) {
			keys.push(String(this.req.headers['idempotency-key']));
			bodies.push(String(body));
			return [200, paymentIntent()];
		});
	for (let n = 0; n < 2; n++) {
		const { ctx } = run(createParams);
		const [[item]] = await new HotelPayment().execute.call(ctx);
		expect(item.json).toMatchObject({ id: 'pi_node_1', reservationId: 'R-NODE-1', billing: { status: 'unpaid' } });
		expect(item.pairedItem).toEqual({ item: 0 });
	}
	expect(keys).toEqual(['hotel-create-R-NODE-1-deposit', 'hotel-create-R-NODE-1-deposit']);
	expect(decodeURIComponent(bodies[0])).toContain('metadata[reservation_id]=R-NODE-1');
	expect(bodies[0]).toContain('currency=eur');
});

it('refuses a card number in any field, names the field, sends nothing and never echoes it', async () => {
	const scope = nock(STRIPE).post('/v1/payment_intents').reply(200, paymentIntent());
	const { ctx, logs } = run({ ...createParams, additionalFields: { description: 'card 4242 4242 4242 4242 exp 12/30' } });
	const error = await new HotelPayment().execute.call(ctx).catch((e) => e);
	expect(error).toBeInstanceOf(NodeOperationError);
	expect(error.message).toContain('additionalFields.description');
	expect(JSON.stringify(error)).not.toContain('4242');
	expect(logs.join('\n')).not.toContain('4242');
	expect(scope.isDone()).toBe(false);
});

it('retries a Stripe outage with the same key and succeeds', async () => {
	const keys: string[] = [];
	nock(STRIPE)
		.post('/v1/payment_intents')
		.times(2)
		.reply(function () {
			keys.push(String(this.req.headers['idempotency-key']));
			return [503, { error: { type: 'api_error', message: 'Stripe is having a moment' } }];
		})
		.post('/v1/payment_intents')
		.reply(function () {
			keys.push(String(this.req.headers['idempotency-key']));
			return [200, paymentIntent()];
		});
	const { ctx } = run(createParams);
	const [[item]] = await new HotelPayment().execute.call(ctx);
	expect(item.json.id).toBe('pi_node_1');
	expect(keys).toHaveLength(3);
	expect(new Set(keys).size).toBe(1);
});

it('turns a declined card into a NodeApiError without retrying', async () => {
	let calls = 0;
	nock(STRIPE)
		.post('/v1/payment_intents/pi_node_1/confirm')
		.reply(() => {
			calls++;
			return [402, { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } }];
		});
	const { ctx } = run({ resource: 'paymentIntent', operation: 'confirm', paymentIntentId: 'pi_node_1', paymentMethod: 'pm_card_chargeDeclined' });
	const error = await new HotelPayment().execute.call(ctx).catch((e) => e);
	expect(error).toBeInstanceOf(NodeApiError);
	expect(error.message).toContain('Your card was declined.');
	expect(calls).toBe(1);
});

it('with Continue On Fail, reports the error on the item and goes on with the next one', async () => {
	nock(STRIPE).get('/v1/payment_intents/pi_missing').reply(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } });
	nock(STRIPE).get('/v1/payment_intents/pi_node_1').reply(200, paymentIntent({ status: 'succeeded', amount_received: 18000 }));
	const { ctx } = run(
		{ resource: 'paymentIntent', operation: 'get' },
		{ items: [{ paymentIntentId: 'pi_missing' }, { paymentIntentId: 'pi_node_1' }], continueOnFail: true },
	);
	const [items] = await new HotelPayment().execute.call(ctx);
	expect(items[0].json.error).toMatch(/No such payment_intent/);
	expect(items[1].json).toMatchObject({ id: 'pi_node_1', status: 'succeeded' });
	expect(items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
});

it('refunds with a key per payment and reference, and records offline payments once', async () => {
	const keys: string[] = [];
	nock(STRIPE)
		.post('/v1/refunds')
		.times(2)
		.reply(function () {
			keys.push(String(this.req.headers['idempotency-key']));
			return [200, { id: 're_1', object: 'refund', amount: 5000, currency: 'eur', payment_intent: 'pi_node_1', status: 'succeeded', reason: 'requested_by_customer' }];
		});
	for (const reference of ['late-checkout', 'late-checkout']) {
		const { ctx } = run({ resource: 'refund', operation: 'create', paymentIntentId: 'pi_node_1', amount: 5000, refundReference: reference, reason: 'requested_by_customer' });
		await new HotelPayment().execute.call(ctx);
	}
	expect(keys).toEqual(['hotel-refund-pi_node_1-late-checkout', 'hotel-refund-pi_node_1-late-checkout']);

	const offline = { resource: 'billing', operation: 'recordOffline', reservationId: "R-Zoë's", method: 'cash', amount: 3000, currency: 'eur', reference: 'till 7' };
	for (let n = 0; n < 2; n++) await new HotelPayment().execute.call(run(offline).ctx);
	const [[status]] = await new HotelPayment().execute.call(run({ resource: 'billing', operation: 'getStatus', reservationId: "R-Zoë's" }).ctx);
	expect(status.json).toMatchObject({ status: 'paid', amountPaid: 3000, payments: [{ method: 'cash', reference: 'till 7' }] });
});

describe('with the Square gateway', () => {
	const squareCreate = { gateway: 'square', resource: 'paymentIntent', operation: 'create', reservationId: 'R-SQN-1', amount: 18000, currency: 'EUR', paymentReference: 'deposit', sourceId: 'cnon:card-nonce-ok', additionalFields: {} };

	it('takes a payment once however often the workflow runs, and bills it like a Stripe one', async () => {
		const created = () => square.events.filter((e) => e.type === 'payment.created').length;
		const before = created();
		const items = [];
		for (let n = 0; n < 2; n++) items.push((await new HotelPayment().execute.call(run(squareCreate).ctx))[0][0]);
		expect(items[0].json).toMatchObject({ gateway: 'square', squareStatus: 'COMPLETED', reservationId: 'R-SQN-1', billing: { status: 'paid', amountPaid: 18000, currency: 'eur' } });
		expect(items[1].json.id).toBe(items[0].json.id);
		expect(created() - before).toBe(1);
		const [[status]] = await new HotelPayment().execute.call(run({ resource: 'billing', operation: 'getStatus', reservationId: 'R-SQN-1' }).ctx);
		expect(status.json.payments).toEqual([expect.objectContaining({ id: `square:${items[0].json.id}`, method: 'square', amountReceived: 18000 })]);
	});

	it('authorises, then captures (Square: complete); refunds in part with a reference that makes a re-run harmless', async () => {
		const [[held]] = await new HotelPayment().execute.call(run({ ...squareCreate, reservationId: 'R-SQN-2', additionalFields: { delayedCapture: true } }).ctx);
		expect(held.json).toMatchObject({ squareStatus: 'APPROVED', billing: { status: 'unpaid' } });
		const [[taken]] = await new HotelPayment().execute.call(run({ gateway: 'square', resource: 'paymentIntent', operation: 'capture', paymentIntentId: held.json.id }).ctx);
		expect(taken.json).toMatchObject({ squareStatus: 'COMPLETED', billing: { status: 'paid' } });
		const refund = { gateway: 'square', resource: 'refund', operation: 'create', paymentIntentId: held.json.id, amount: 4000, refundReference: 'minibar', reason: "Zoë's minibar; DROP TABLE payments" };
		const [[first]] = await new HotelPayment().execute.call(run(refund).ctx);
		const [[again]] = await new HotelPayment().execute.call(run(refund).ctx);
		expect(first.json).toMatchObject({ gateway: 'square', amount: 4000, paymentId: held.json.id });
		expect(again.json.id).toBe(first.json.id);
	});

	it('refuses a card number as the payment source before anything reaches Square', async () => {
		const sent = square.requests.length;
		const error = await new HotelPayment().execute.call(run({ ...squareCreate, sourceId: '4111 1111 1111 1111' }).ctx).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toContain('sourceId');
		expect(JSON.stringify(error)).not.toContain('4111 1111');
		expect(square.requests.length).toBe(sent);
	});

	it('a declined card is a NodeApiError naming Square\'s reason', async () => {
		const error = await new HotelPayment().execute.call(run({ ...squareCreate, reservationId: 'R-SQN-3', sourceId: 'cnon:card-nonce-declined' }).ctx).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/GENERIC_DECLINE/);
	});

	it('applies Square events from the trigger: a completed refund counts once, however often it is applied', async () => {
		const [[paid]] = await new HotelPayment().execute.call(run({ ...squareCreate, reservationId: 'R-SQN-4' }).ctx);
		const refundEvent = {
			merchant_id: 'M',
			type: 'refund.updated',
			event_id: 'sq-evt-refund-1',
			data: { type: 'refund', id: 'rf-1', object: { refund: { id: 'rf-1', status: 'COMPLETED', amount_money: { amount: 6000, currency: 'EUR' }, payment_id: paid.json.id } } },
		};
		const apply = () => new HotelPayment().execute.call(run({ resource: 'billing', operation: 'applyEvent', event: refundEvent }).ctx);
		const [[applied]] = await apply();
		await apply();
		expect(applied.json).toMatchObject({ eventId: 'sq-evt-refund-1', outcome: 'refunded', applied: true, billing: { status: 'partially_refunded', amountPaid: 18000, amountRefunded: 6000 } });
		const [[status]] = await new HotelPayment().execute.call(run({ resource: 'billing', operation: 'getStatus', reservationId: 'R-SQN-4' }).ctx);
		expect(status.json).toMatchObject({ amountRefunded: 6000 });

		const notAnEvent = await new HotelPayment().execute.call(run({ resource: 'billing', operation: 'applyEvent', event: { type: 'x', data: { object: {} } } }).ctx).catch((e) => e);
		expect(notAnEvent).toBeInstanceOf(NodeOperationError);
		expect(notAnEvent.message).toMatch(/no event id/);
	});
});

describe('payments that match no reservation', () => {
	const stripeEvent = (id: string, reservationId: string | undefined) => ({
		id,
		type: 'payment_intent.succeeded',
		data: { object: { ...paymentIntent({ id: `pi_${id}`, status: 'succeeded', amount_received: 18000 }), metadata: reservationId ? { reservation_id: reservationId } : {} } },
	});

	it('refuses to create a payment for a reservation the store does not have, before calling the gateway', async () => {
		const sent = square.requests.length;
		for (const gateway of ['stripe', 'square']) {
			const params = { ...createParams, gateway, reservationId: "R-'; DROP TABLE payments;-- Zoë", sourceId: 'cnon:card-nonce-ok' };
			const error = await new HotelPayment().execute.call(run(params).ctx).catch((e) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toMatch(/is not in the hotel's store/);
		}
		expect(square.requests.length).toBe(sent); // and no Stripe call: nock has no interceptor, so one would have failed differently
	});

	it("routes an event naming no reservation of the store to the Unmatched Payment output, lists it, and matches it by hand", async () => {
		const apply = (event: object) => new HotelPayment().execute.call(run({ resource: 'billing', operation: 'applyEvent', event }).ctx);
		const [applied, unmatched] = await apply(stripeEvent('evt_node_unmatched', 'R-NODE-TYPO'));
		expect(applied).toEqual([]);
		expect(unmatched[0].json).toMatchObject({ applied: false, unmatched: true, payment: { paymentId: 'pi_evt_node_unmatched', namedReservationId: 'R-NODE-TYPO' } });
		expect(unmatched[0].json.reason).toMatch(/names reservation R-NODE-TYPO \(metadata.reservation_id\), which is not in the hotel's store/);
		const [matchedOutput, none] = await apply(stripeEvent('evt_node_matched', 'R-NODE-LATER'));
		expect(matchedOutput[0].json).toMatchObject({ applied: true, billing: { status: 'paid' } });
		expect(none).toEqual([]);

		const [[list]] = await new HotelPayment().execute.call(run({ resource: 'billing', operation: 'listUnmatched' }).ctx);
		expect(list.json.count).toBe(1);
		expect(list.json.payments).toEqual([expect.objectContaining({ paymentId: 'pi_evt_node_unmatched', eventIds: ['evt_node_unmatched'] })]);

		const match = (reservationId: string) => new HotelPayment().execute.call(run({ resource: 'billing', operation: 'matchPayment', paymentId: 'pi_evt_node_unmatched', reservationId }).ctx);
		const wrong = await match('R-NODE-NOWHERE').catch((e) => e);
		expect(wrong).toBeInstanceOf(NodeOperationError);
		const [[done]] = await match('R-NODE-1');
		expect(done.json).toMatchObject({ matchedReservationId: 'R-NODE-1', matchedBy: 'hand', billing: { reservationId: 'R-NODE-1', status: 'paid' } });
		const [[after]] = await new HotelPayment().execute.call(run({ resource: 'billing', operation: 'listUnmatched' }).ctx);
		expect(after.json).toMatchObject({ count: 0, payments: [] });
	});
});
