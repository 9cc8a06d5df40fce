import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { verifyStripeEvent } from '../../lib/payments/stripeSignature';
import { rejection } from '../support/rejection';

const secret = 'whsec_test_secret';
const now = 1_760_000_000_000; // a fixed clock: every case is computed against it
const body = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } });

function sign(payload: string, opts: { t?: number; key?: string; scheme?: string } = {}) {
	const t = opts.t ?? Math.floor(now / 1000);
	const v = createHmac('sha256', opts.key ?? secret).update(`${t}.${payload}`).digest('hex');
	return `t=${t},${opts.scheme ?? 'v1'}=${v}`;
}

describe('verifyStripeEvent', () => {
	it('accepts a correctly signed string body and returns the event', () => {
		const event = verifyStripeEvent(body, sign(body), secret, { nowMs: now });
		expect(event.id).toBe('evt_1');
		expect(event.data.object.id).toBe('pi_1');
	});

	it('accepts the same bytes as a Buffer', () => {
		expect(verifyStripeEvent(Buffer.from(body), sign(body), secret, { nowMs: now }).id).toBe('evt_1');
	});

	it('agrees with the header the stripe library generates', () => {
		const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(now / 1000) });
		expect(verifyStripeEvent(body, header, secret, { nowMs: now }).type).toBe('payment_intent.succeeded');
	});

	it('rejects a missing header with 400', () => {
		expect(rejection(() => verifyStripeEvent(body, undefined, secret, { nowMs: now })).status).toBe(400);
		expect(rejection(() => verifyStripeEvent(body, '', secret, { nowMs: now })).status).toBe(400);
	});

	it('rejects a malformed header with 400', () => {
		const r = rejection(() => verifyStripeEvent(body, 'garbage', secret, { nowMs: now }));
		expect(r.status).toBe(400);
	});

	it('rejects a header without t with 400', () => {
		const v1 = sign(body).split(',')[1];
		const r = rejection(() => verifyStripeEvent(body, v1, secret, { nowMs: now }));
		expect([r.status, r.message]).toEqual([400, expect.stringContaining('timestamp')]);
	});

	it('rejects a header without v1 with 400', () => {
		const r = rejection(() => verifyStripeEvent(body, `t=${Math.floor(now / 1000)}`, secret, { nowMs: now }));
		expect([r.status, r.message]).toEqual([400, expect.stringContaining('v1')]);
	});

	it('rejects a signature made with another secret with 401', () => {
		expect(rejection(() => verifyStripeEvent(body, sign(body, { key: 'whsec_other' }), secret, { nowMs: now })).status).toBe(401);
	});

	it('rejects a tampered body with 401', () => {
		const tampered = body.replace('pi_1', 'pi_2');
		expect(rejection(() => verifyStripeEvent(tampered, sign(body), secret, { nowMs: now })).status).toBe(401);
	});

	it('accepts a header with both v1 and v0 when v1 is right', () => {
		const header = `${sign(body)},v0=${'0'.repeat(64)}`;
		expect(verifyStripeEvent(body, header, secret, { nowMs: now }).id).toBe('evt_1');
	});

	it('does not accept a v0 signature alone, even a correct one', () => {
		const header = sign(body, { scheme: 'v0' });
		expect(rejection(() => verifyStripeEvent(body, header, secret, { nowMs: now })).status).toBe(400);
	});

	it('accepts a right v1 among wrong v1 values (secret rotation)', () => {
		const [t, v1] = sign(body).split(',');
		expect(verifyStripeEvent(body, `${t},v1=${'a'.repeat(64)},${v1}`, secret, { nowMs: now }).id).toBe('evt_1');
	});

	it('accepts a delivery 240 s old', () => {
		const t = Math.floor(now / 1000) - 240;
		expect(verifyStripeEvent(body, sign(body, { t }), secret, { nowMs: now }).id).toBe('evt_1');
	});

	it('rejects a delivery 360 s old with 401', () => {
		const t = Math.floor(now / 1000) - 360;
		const r = rejection(() => verifyStripeEvent(body, sign(body, { t }), secret, { nowMs: now }));
		expect([r.status, r.message]).toEqual([401, expect.stringContaining('too old')]);
	});

	it('rejects a delivery dated 360 s in the future with 401', () => {
		const t = Math.floor(now / 1000) + 360;
		const r = rejection(() => verifyStripeEvent(body, sign(body, { t }), secret, { nowMs: now }));
		expect([r.status, r.message]).toEqual([401, expect.stringContaining('future')]);
	});

	it('honours a configured tolerance', () => {
		const t = Math.floor(now / 1000) - 360;
		expect(verifyStripeEvent(body, sign(body, { t }), secret, { nowMs: now, toleranceSeconds: 600 }).id).toBe('evt_1');
	});

	it('rejects a signed event without an id with 400', () => {
		const noId = JSON.stringify({ type: 'payment_intent.succeeded', data: { object: {} } });
		const r = rejection(() => verifyStripeEvent(noId, sign(noId), secret, { nowMs: now }));
		expect([r.status, r.message]).toEqual([400, 'The event has no id.']);
	});

	it('rejects a signed body that is not JSON with 400', () => {
		const notJson = '{"id": "evt_1", ';
		expect(rejection(() => verifyStripeEvent(notJson, sign(notJson), secret, { nowMs: now })).status).toBe(400);
	});

	it('rejects an empty body with 400 and a missing secret with 401', () => {
		expect(rejection(() => verifyStripeEvent('', sign(''), secret, { nowMs: now })).status).toBe(400);
		expect(rejection(() => verifyStripeEvent(body, sign(body), '', { nowMs: now })).status).toBe(401);
	});
});
