import { WebhookRejection } from '../../lib/payments/stripeSignature';

/** The WebhookRejection `fn` throws (fails the test if it throws anything else, or nothing). */
export function rejection(fn: () => unknown): WebhookRejection {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(WebhookRejection);
		return error as WebhookRejection;
	}
	throw new Error('expected a rejection');
}
