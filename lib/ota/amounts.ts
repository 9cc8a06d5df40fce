/**
 * Money in OTA messages. We hold integer minor units; the XML holds decimal strings. Conversions are
 * done on the digits (no floating point), so 0.1 + 0.2 problems cannot reach a price.
 *
 * Reading an amount (OTA's own definition of DecimalPlaces, which Booking.com follows):
 *  - with a decimal point ("123.45") it is in major units;
 *  - without one and with DecimalPlaces="n" ("12345", n=2) the last n digits are the decimals;
 *  - without one and without DecimalPlaces it is in major units ("120" is 120.00).
 * Writing, we use a decimal point by default ("123.45" + DecimalPlaces="2"), which both readings
 * agree on; `minorUnits` writes "12345" + DecimalPlaces="2" for channels that document that form.
 */
import { invalidInput, OtaMessageError } from './errors';

/** ISO 4217 currencies whose minor unit is not 2 (within OTA Money's 3 fraction digits). */
const MINOR_DIGITS: Record<string, number> = {
	BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
	BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** OTA's Money type allows at most 3 fraction digits. */
export const MAX_DECIMALS = 3;

export type AmountFormat = 'decimal' | 'minorUnits';

export function currencyDecimals(currency: string): number {
	return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

/** An ISO 4217 code, upper-cased (the XSD's AlphaLength3). */
export function currencyCode(value: unknown, field: string): string {
	if (typeof value !== 'string' || !/^[A-Za-z]{3}$/.test(value)) throw invalidInput(field, 'must be a three-letter ISO 4217 currency code');
	return value.toUpperCase();
}

/** The XML text of `amount` minor units with `decimals` decimal places. */
export function formatAmount(amount: number, decimals: number, format: AmountFormat = 'decimal'): string {
	const digits = String(amount);
	if (format === 'minorUnits' || decimals === 0) return digits;
	const padded = digits.padStart(decimals + 1, '0');
	return `${padded.slice(0, -decimals)}.${padded.slice(-decimals)}`;
}

/**
 * Minor units (with `targetDecimals` places) of an amount as written in a message. Digits beyond
 * the target precision are rounded half up: a channel's sub-cent remainder must not reject a booking.
 */
export function parseAmount(textValue: string, decimalPlaces: number | undefined, targetDecimals: number, path: string): number {
	const trimmed = textValue.trim();
	const match = /^(-?)(\d*)(?:\.(\d*))?$/.exec(trimmed);
	if (!match || (match[2] === '' && !match[3])) throw new OtaMessageError('invalid_content', `amount "${trimmed}" is not a number`, path);
	const [, sign, whole, fraction] = match;
	let integerDigits: string;
	let fractionDigits: string;
	if (fraction !== undefined || decimalPlaces === undefined || decimalPlaces === 0) {
		integerDigits = whole || '0';
		fractionDigits = fraction ?? '';
	} else {
		// Implied decimals: "12345" with DecimalPlaces 2 is 123.45.
		const padded = whole.padStart(decimalPlaces + 1, '0');
		integerDigits = padded.slice(0, -decimalPlaces);
		fractionDigits = padded.slice(-decimalPlaces);
	}
	const kept = fractionDigits.padEnd(targetDecimals, '0').slice(0, targetDecimals);
	const roundUp = (fractionDigits[targetDecimals] ?? '0') >= '5';
	const minor = BigInt(integerDigits + kept) + (roundUp ? 1n : 0n);
	if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new OtaMessageError('invalid_content', `amount "${trimmed}" is too large`, path);
	return Number(minor) * (sign === '-' ? -1 : 1);
}

/** DecimalPlaces as the message states it, if it does. */
export function parseDecimalPlaces(value: string | undefined, path: string): number | undefined {
	if (value === undefined) return undefined;
	if (!/^\d{1,2}$/.test(value)) throw new OtaMessageError('invalid_content', `DecimalPlaces "${value}" is not a small whole number`, path);
	return Number(value);
}
