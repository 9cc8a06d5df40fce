/**
 * Verifying a Square webhook delivery: `x-square-hmacsha256-signature` is the base64 HMAC-SHA256,
 * keyed with the subscription's signature key, of the notification URL (exactly as registered in
 * Square's dashboard) followed by the raw body. Square signs no timestamp, so a captured delivery
 * can be sent again: what makes that harmless is the event id, claimed once for good (the
 * trigger's event claims), not the signature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpRefusal } from '../errors';

export const SQUARE_SIGNATURE_HEADER = 'x-square-hmacsha256-signature';

export interface SquareEvent {
	event_id: string;
	type: string;
	merchant_id?: string;
	created_at?: string;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Square objects are loosely shaped JSON
	data: { type?: string; id?: string; object: Record<string, any> };
	[key: string]: unknown;
}

export function squareSignature(signatureKey: string, notificationUrl: string, rawBody: Buffer | string): string {
	return createHmac('sha256', signatureKey).update(notificationUrl, 'utf8').update(rawBody).digest('base64');
}

export function verifySquareEvent(
	rawBody: Buffer | string | undefined,
	header: string | string[] | undefined,
	signatureKey: string,
	notificationUrl: string,
): SquareEvent {
	if (!signatureKey) throw new HttpRefusal(401, 'No webhook signature key is configured in the Square credential.');
	if (!notificationUrl) throw new HttpRefusal(401, 'No notification URL is configured in the Square credential (Square signs it with the body).');
	if (rawBody === undefined || rawBody.length === 0) throw new HttpRefusal(400, 'Empty request body.');
	if (header === undefined || header === '') throw new HttpRefusal(400, `Missing ${SQUARE_SIGNATURE_HEADER} header.`);
	if (Array.isArray(header)) throw new HttpRefusal(400, `More than one ${SQUARE_SIGNATURE_HEADER} header.`);
	if (!/^[A-Za-z0-9+/]{43}=$/.test(header.trim())) throw new HttpRefusal(400, `Malformed ${SQUARE_SIGNATURE_HEADER} header: not a base64 SHA-256 HMAC.`);

	const expected = Buffer.from(squareSignature(signatureKey, notificationUrl, rawBody), 'base64');
	const given = Buffer.from(header.trim(), 'base64');
	if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
		throw new HttpRefusal(401, `${SQUARE_SIGNATURE_HEADER} does not match the notification URL, the body and the signature key.`);
	}

	let event: SquareEvent;
	try {
		event = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
	} catch {
		throw new HttpRefusal(400, 'The signed body is not valid JSON.');
	}
	if (!event || typeof event !== 'object' || typeof event.event_id !== 'string' || event.event_id === '') {
		throw new HttpRefusal(400, 'The event has no event_id.');
	}
	if (typeof event.type !== 'string' || !event.data || typeof event.data !== 'object' || typeof event.data.object !== 'object' || event.data.object === null) {
		throw new HttpRefusal(400, `Event ${event.event_id} has no type or data.object.`);
	}
	return event;
}
