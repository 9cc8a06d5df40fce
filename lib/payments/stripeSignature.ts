/**
 * Verifying a Stripe webhook delivery: the `Stripe-Signature` header is an HMAC-SHA256 over
 * `<t>.<raw body>` with the endpoint's signing secret. The `stripe` library checks the HMAC (in
 * constant time) and the age of `t`; we add the check it leaves out, a timestamp too far in the
 * future, so a captured header cannot be replayed later by pre-dating it.
 */
import Stripe from 'stripe';
import { HttpRefusal } from '../errors';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export interface StripeEvent {
	id: string;
	type: string;
	created?: number;
	livemode?: boolean;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Stripe objects are loosely shaped JSON
	data: { object: Record<string, any> };
	[key: string]: unknown;
}

export function verifyStripeEvent(
	rawBody: Buffer | string | undefined,
	header: string | string[] | undefined,
	secret: string,
	opts: { toleranceSeconds?: number; nowMs?: number } = {},
): StripeEvent {
	const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	const now = opts.nowMs ?? Date.now();
	if (!secret) throw new HttpRefusal(401, 'No webhook signing secret is configured in the Stripe credential.');
	if (rawBody === undefined || rawBody.length === 0) throw new HttpRefusal(400, 'Empty request body.');
	if (header === undefined || header === '') throw new HttpRefusal(400, 'Missing Stripe-Signature header.');
	if (Array.isArray(header)) throw new HttpRefusal(400, 'More than one Stripe-Signature header.');

	const timestamp = /(?:^|,)\s*t=(\d+)(?:,|$)/.exec(header)?.[1];
	if (!timestamp) throw new HttpRefusal(400, 'Malformed Stripe-Signature header: no timestamp (t=).');
	if (!/(?:^|,)\s*v1=[0-9a-f]+/i.test(header)) {
		throw new HttpRefusal(400, 'Malformed Stripe-Signature header: no v1 signature.');
	}
	if (Number(timestamp) * 1000 - now > tolerance * 1000) {
		throw new HttpRefusal(401, 'Stripe-Signature timestamp is in the future beyond the tolerance.');
	}

	let event: StripeEvent;
	try {
		event = Stripe.webhooks.constructEvent(rawBody, header, secret, tolerance, undefined, now) as unknown as StripeEvent;
	} catch (error) {
		if (error instanceof SyntaxError) throw new HttpRefusal(400, 'The signed body is not valid JSON.');
		const message = String((error as Error).message ?? '');
		if (/tolerance/i.test(message)) throw new HttpRefusal(401, 'Stripe-Signature timestamp is too old (outside the tolerance).');
		throw new HttpRefusal(401, 'Stripe-Signature does not match the body and the signing secret.');
	}
	if (!event || typeof event !== 'object' || typeof event.id !== 'string' || event.id === '') {
		throw new HttpRefusal(400, 'The event has no id.');
	}
	if (typeof event.type !== 'string' || !event.data || typeof event.data.object !== 'object') {
		throw new HttpRefusal(400, `Event ${event.id} has no type or data.object.`);
	}
	return event;
}
