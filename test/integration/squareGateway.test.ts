/**
 * The Square gateway against the local Square peer: payments at once and authorised then completed
 * or cancelled, refunds in full and in part — each write once however often it is repeated (the
 * idempotency key, or reading the payment back), 5xx retried, refusals explained.
 */
import { PartnerError, resetPartnerPolicies } from '../../lib/resilience/policy';
import { SquareGateway, SquareRequestError, squareConnectionFrom } from '../../lib/payments/squareGateway';
import { startSquarePeer, type SquarePeer } from '../peers/squarePeer';

let peer: SquarePeer;
let square: SquareGateway;
const fast = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5, breakerThreshold: 100 };

beforeAll(async () => {
	peer = await startSquarePeer({ accessToken: 'EAAA-test-token' });
	square = new SquareGateway(squareConnectionFrom({ accessToken: 'EAAA-test-token', environment: 'custom', baseUrl: peer.url, locationId: peer.locationId }), fast);
});
afterAll(() => peer.stop());
beforeEach(() => resetPartnerPolicies());

const take = (reservationId: string, extra: Partial<Parameters<SquareGateway['createPayment']>[0]> = {}) =>
	square.createPayment({ reservationId, amount: 24000, currency: 'eur', sourceId: 'cnon:card-nonce-ok', ...extra });

it('picks the base URL from the environment', () => {
	expect(squareConnectionFrom({ environment: 'sandbox', locationId: 'L' }).baseUrl).toBe('https://connect.squareupsandbox.com');
	expect(squareConnectionFrom({ environment: 'production', locationId: 'L' }).baseUrl).toBe('https://connect.squareup.com');
	expect(squareConnectionFrom({ environment: 'custom', baseUrl: 'http://127.0.0.1:1/', locationId: 'L' }).baseUrl).toBe('http://127.0.0.1:1');
});

it('takes a payment once however often the same reservation and reference are sent', async () => {
	const first = await take('R-SQ1');
	const again = await take('R-SQ1');
	expect(first).toMatchObject({ gateway: 'square', ledgerId: `square:${first.id}`, status: 'succeeded', squareStatus: 'COMPLETED', amount: 24000, amountReceived: 24000, currency: 'eur', reservationId: 'R-SQ1' });
	expect(again.id).toBe(first.id);
	const keys = peer.requests.filter((r) => r.path === '/v2/payments').map((r) => r.idempotencyKey);
	expect(keys.slice(-2)).toEqual(['hotel-create-R-SQ1-default', 'hotel-create-R-SQ1-default']);
	expect((await take('R-SQ1', { reference: 'balance' })).id).not.toBe(first.id);
});

it('authorises with delayed capture, then completes or cancels — a repeat answers the same state', async () => {
	const held = await take('R-SQ2', { delayedCapture: true });
	expect(held).toMatchObject({ squareStatus: 'APPROVED', status: 'requires_capture', awaitingCompletion: true, amountReceived: 0 });
	expect(await square.complete(held.id)).toMatchObject({ squareStatus: 'COMPLETED', status: 'succeeded', amountReceived: 24000 });
	expect((await square.complete(held.id)).squareStatus).toBe('COMPLETED');

	const released = await take('R-SQ3', { delayedCapture: true });
	expect((await square.cancel(released.id)).squareStatus).toBe('CANCELED');
	expect((await square.cancel(released.id)).status).toBe('canceled');
	await expect(square.complete(released.id)).rejects.toThrow(/CANCELED: only an APPROVED payment can be completed/);
});

it('refunds in part and then the rest; the same reference never refunds twice', async () => {
	const paid = await take('R-SQ4');
	const part = await square.refund({ paymentId: paid.id, amount: 5000, reference: 'early-departure' });
	const same = await square.refund({ paymentId: paid.id, amount: 5000, reference: 'early-departure' });
	expect(same.id).toBe(part.id);
	expect(part).toMatchObject({ gateway: 'square', amount: 5000, currency: 'eur', paymentId: paid.id });
	await new Promise((resolve) => setTimeout(resolve, 60)); // the peer completes refunds a moment later, as Square does
	const rest = await square.refund({ paymentId: paid.id, reason: 'Stay cancelled' });
	expect(rest.amount).toBe(19000);
	await new Promise((resolve) => setTimeout(resolve, 60));
	await expect(square.refund({ paymentId: paid.id, reference: 'again' })).rejects.toThrow(/nothing left to refund/);
	await expect(square.refund({ paymentId: paid.id, amount: 1, reference: 'one more' })).rejects.toThrow(/exceeds the amount available to refund/);
});

it('retries a 5xx and succeeds without a second payment', async () => {
	peer.failNext(1, 503);
	const before = peer.events.length;
	const paid = await take('R-SQ5');
	expect(paid.squareStatus).toBe('COMPLETED');
	expect(peer.events.slice(before).filter((e) => e.type === 'payment.created')).toHaveLength(1);
});

it('explains refusals: a declined card, a wrong token, a reused key with other values, a reservation id Square cannot keep', async () => {
	const declined = await take('R-SQ6', { sourceId: 'cnon:card-nonce-declined' }).catch((e) => e);
	expect(declined).toBeInstanceOf(SquareRequestError);
	expect(declined.message).toMatch(/GENERIC_DECLINE/);

	const wrong = new SquareGateway({ accessToken: 'nope', baseUrl: peer.url, locationId: peer.locationId }, fast);
	await expect(wrong.getPayment('x')).rejects.toThrow(/rejected the access token/);

	await take('R-SQ7');
	await expect(take('R-SQ7', { amount: 1 })).rejects.toThrow(/new Payment Reference/);

	const requests = peer.requests.length;
	await expect(take(`R-${'x'.repeat(40)}`)).rejects.toThrow(/at most 40 characters/);
	expect(peer.requests.length).toBe(requests);

	await expect(square.getPayment("'; DROP TABLE payments;--")).rejects.toThrow(/Could not find Payment/);
});

it('tests the credential by reading the location; an unknown location fails clearly', async () => {
	await expect(square.checkConnection()).resolves.toBeUndefined();
	const elsewhere = new SquareGateway({ accessToken: 'EAAA-test-token', baseUrl: peer.url, locationId: 'L-UNKNOWN' }, fast);
	const error = await elsewhere.checkConnection().catch((e) => e);
	expect(error).toBeInstanceOf(PartnerError);
	expect(error.message).toMatch(/Could not find Location/);
});
