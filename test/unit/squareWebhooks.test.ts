/**
 * Square deliveries: the signature over notification URL + raw body (hostile cases as for Stripe,
 * plus a wrong notification URL), and what each event means for the ledger — checked on bodies in
 * the shapes Square's webhook reference publishes.
 */
import { createHmac } from 'node:crypto';
import { classifySquareEvent } from '../../lib/payments/squareEvents';
import { squareSignature, verifySquareEvent, type SquareEvent } from '../../lib/payments/squareSignature';
import { paymentApproved, paymentCompleted, paymentFailed, paymentRefundedSince, refund } from '../fixtures/square/events';
import { rejection } from '../support/rejection';

const key = 'qfjakbt2uWB8DKAMECF-EA';
const url = 'https://hotel.example/webhook/square-payments';
const body = JSON.stringify(paymentCompleted);
const sign = (payload: string | Buffer, k = key, u = url) => createHmac('sha256', k).update(u + payload.toString()).digest('base64');

describe('verifySquareEvent', () => {
	it('accepts a body signed over notification URL + body, as a string or a Buffer', () => {
		expect(squareSignature(key, url, body)).toBe(sign(body));
		expect(verifySquareEvent(body, sign(body), key, url).event_id).toBe(paymentCompleted.event_id);
		expect(verifySquareEvent(Buffer.from(body), sign(body), key, url).data.object.payment.id).toBe('KkAkhdMsgzn59SM8A89WgKwekxLZY');
	});

	it('refuses a signature made for another notification URL, another key, or another body with 401', () => {
		for (const header of [sign(body, key, `${url}/`), sign(body, key, url.replace('https', 'http')), sign(body, 'another-key'), sign(body.replace('24000', '2400'))]) {
			const r = rejection(() => verifySquareEvent(body, header, key, url));
			expect([r.status, r.message]).toEqual([401, expect.stringContaining('does not match')]);
		}
	});

	it('refuses a body changed after signing (one byte, whitespace, a re-serialisation) with 401', () => {
		const header = sign(body);
		for (const changed of [body.replace('R-2001', 'R-2002'), `${body} `, JSON.stringify(JSON.parse(body), null, 1)]) {
			expect(rejection(() => verifySquareEvent(changed, header, key, url)).status).toBe(401);
		}
	});

	it('answers 400 for a missing, doubled or malformed header and an empty body', () => {
		expect(rejection(() => verifySquareEvent(body, undefined, key, url)).status).toBe(400);
		expect(rejection(() => verifySquareEvent(body, '', key, url)).status).toBe(400);
		expect(rejection(() => verifySquareEvent(body, [sign(body), sign(body)], key, url)).status).toBe(400);
		expect(rejection(() => verifySquareEvent(body, 'not base64 at all', key, url)).message).toContain('Malformed');
		expect(rejection(() => verifySquareEvent(body, createHmac('sha1', key).update(url + body).digest('base64'), key, url)).status).toBe(400); // the old SHA-1 header's value
		expect(rejection(() => verifySquareEvent('', sign(''), key, url)).status).toBe(400);
		expect(rejection(() => verifySquareEvent(undefined, sign(body), key, url)).status).toBe(400);
	});

	it('refuses everything when the credential has no signature key or no notification URL (401, not a crash)', () => {
		expect(rejection(() => verifySquareEvent(body, sign(body), '', url)).message).toContain('signature key');
		expect(rejection(() => verifySquareEvent(body, sign(body), key, '')).message).toContain('notification URL');
	});

	it('answers 400 for signed bodies that are not events: not JSON, no event_id, no data.object', () => {
		for (const bad of ['{"event_id":', '[]', 'null', '{"type":"payment.updated","data":{"object":{}}}', '{"event_id":"e1","type":"payment.updated"}', '{"event_id":"e1","type":"payment.updated","data":{"object":null}}']) {
			expect(rejection(() => verifySquareEvent(bad, sign(bad), key, url)).status).toBe(400);
		}
	});

	it('takes SQL metacharacters and Unicode in ids as data', () => {
		const odd = JSON.stringify({ ...paymentCompleted, event_id: "e'; DROP TABLE processed_events; --🏨" });
		expect(verifySquareEvent(odd, sign(odd), key, url).event_id).toBe("e'; DROP TABLE processed_events; --🏨");
	});
});

describe('classifySquareEvent', () => {
	const classify = (event: object) => classifySquareEvent(event as SquareEvent);

	it('a COMPLETED payment is a success for the reservation in reference_id, tip included in what was received', () => {
		expect(classify(paymentCompleted)).toEqual({
			eventId: paymentCompleted.event_id,
			type: 'payment.updated',
			outcome: 'succeeded',
			change: { paymentId: 'square:KkAkhdMsgzn59SM8A89WgKwekxLZY', gateway: 'square', reservationId: 'R-2001', currency: 'eur', amount: 24000, amountReceived: 25000, status: 'succeeded' },
		});
	});

	it('a COMPLETED payment with refunded_money is a refund with the running total', () => {
		expect(classify(paymentRefundedSince)).toMatchObject({ outcome: 'refunded', change: { amountRefunded: 8000, amountReceived: 25000, status: 'succeeded' } });
	});

	it('a FAILED payment is a failure with the card error; APPROVED, PENDING and CANCELED change nothing billed', () => {
		expect(classify(paymentFailed)).toMatchObject({ outcome: 'failed', change: { status: 'failed', error: "Authorization error: 'GENERIC_DECLINE'" } });
		expect(classify(paymentApproved)).toEqual({ eventId: paymentApproved.event_id, type: 'payment.created', outcome: 'other' });
		for (const status of ['PENDING', 'CANCELED']) {
			const event = { ...paymentCompleted, data: { ...paymentCompleted.data, object: { payment: { ...paymentCompleted.data.object.payment, status } } } };
			expect(classify(event).outcome).toBe('other');
		}
	});

	it('a COMPLETED refund is counted by its own id and amount; PENDING, REJECTED and FAILED ones change nothing', () => {
		expect(classify(refund('COMPLETED'))).toMatchObject({
			outcome: 'refunded',
			change: { paymentId: 'square:KkAkhdMsgzn59SM8A89WgKwekxLZY', currency: 'eur', status: 'succeeded', refund: { id: expect.stringMatching(/^square:xFy/), amount: 8000 } },
		});
		expect(classify(refund('COMPLETED')).change).not.toHaveProperty('amount');
		for (const status of ['PENDING', 'REJECTED', 'FAILED']) expect(classify(refund(status)).outcome).toBe('other');
	});

	it('events of other kinds, and payments without an id or amount, are "other"', () => {
		expect(classify({ event_id: 'e', type: 'customer.created', data: { object: { customer: {} } } }).outcome).toBe('other');
		expect(classify({ event_id: 'e', type: 'payment.updated', data: { object: { payment: { status: 'COMPLETED' } } } }).outcome).toBe('other');
		expect(classify({ event_id: 'e', type: 'payment.updated', data: { object: { payment: { id: 'p', status: 'COMPLETED', amount_money: { amount: -5, currency: 'EUR' } } } } }).outcome).toBe('other');
	});
});
