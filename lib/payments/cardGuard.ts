/**
 * Raw card data never enters this package. Stripe takes card details in its own UI and gives us
 * tokens (pm_…, pi_…); a value that looks like a card number (13–19 digits, optionally grouped by
 * spaces or dashes, passing the Luhn check) is refused before anything is sent, stored or logged.
 * The error names the field, never the value.
 */

const CANDIDATE = /(?:\d[ -]?){12,18}\d/g;

export function passesLuhn(digits: string): boolean {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let d = digits.charCodeAt(digits.length - 1 - i) - 48;
		if (i % 2 === 1) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
	}
	return sum % 10 === 0;
}

/** True when `text` contains something that is very likely a primary account number. */
export function containsCardNumber(text: string): boolean {
	for (const match of text.matchAll(CANDIDATE)) {
		const digits = match[0].replace(/[ -]/g, '');
		if (digits.length >= 13 && digits.length <= 19 && passesLuhn(digits)) return true;
	}
	return false;
}

export class CardDataError extends Error {
	constructor(readonly field: string) {
		super(
			`The field "${field}" looks like a card number. Card details must never be sent to this node: ` +
				'collect them with Stripe (Checkout, Elements or a Payment Link) and pass the payment method id (pm_…) instead.',
		);
		this.name = 'CardDataError';
	}
}

/** Throws CardDataError for the first field (nested paths included) that holds a card number. */
export function assertNoCardData(fields: Record<string, unknown>, prefix = ''): void {
	for (const [name, value] of Object.entries(fields)) {
		const field = prefix ? `${prefix}.${name}` : name;
		if (typeof value === 'string' || typeof value === 'number') {
			if (containsCardNumber(String(value))) throw new CardDataError(field);
		} else if (value && typeof value === 'object') {
			assertNoCardData(value as Record<string, unknown>, field);
		}
	}
}
