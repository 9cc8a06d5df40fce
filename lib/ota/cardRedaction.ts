/**
 * Card data never leaves the XML reader. Channels send full guarantee cards (Booking.com as
 * attributes CardNumber/SeriesCode/ExpireDate, OTA 2015B as CardNumber/PlainText elements,
 * SiteMinder with EncryptedValue and Mask); PCI DSS forbids us to keep the number, the CVV
 * (SeriesCode) or the expiry, and we have no use for them: the hotel charges through Stripe.
 *
 * So, right after parsing and before any other code sees the tree:
 *  - every PaymentCard (and ReadRQ's CreditCardInfo) is replaced by a summary holding only the
 *    brand (CardCode, else CardType) and the last four digits: { "@_CardCode", "@_Last4", "@_Redacted" };
 *  - every BankAcct is replaced by { "@_Redacted": "true" };
 *  - elements and attributes with card-field names are dropped wherever else they appear;
 *  - text that still contains a card number (a guest typing it into a comment) is masked to its
 *    last four digits. Attributes are not scanned: they carry ids, and a 16-digit id may pass Luhn.
 */
import { passesLuhn } from '../payments/cardGuard';
import { attr, children, text } from './xmlTree';
import type { XmlNode, XmlValue } from './types';

const CARD_ELEMENTS = new Set(['PaymentCard', 'CreditCardInfo']);
const ACCOUNT_ELEMENTS = new Set(['BankAcct']);
const SENSITIVE_NAMES = new Set([
	'CardNumber',
	'SeriesCode',
	'CardHolderName',
	'CardHolderNameDetails',
	'MagneticStripe',
	'BankAcctNumber',
	'CVV',
	'CVC',
	'CardSecurityCode',
]);
const CARD_NUMBER_CANDIDATE = /(?:\d[ -]?){12,18}\d/g;

/** Strings reached here are element text (attributes are copied, never scanned). */
export function redactCardData(value: XmlValue): XmlValue {
	if (typeof value === 'string') return maskCardNumbers(value);
	if (Array.isArray(value)) return value.map(redactCardData);
	const result: XmlNode = {};
	for (const [key, child] of Object.entries(value)) {
		const name = key.startsWith('@_') ? key.slice(2) : key;
		if (SENSITIVE_NAMES.has(name)) continue;
		if (CARD_ELEMENTS.has(key)) result[key] = mapElements(child, summarizeCard);
		else if (ACCOUNT_ELEMENTS.has(key)) result[key] = mapElements(child, () => ({ '@_Redacted': 'true' }));
		else if (key.startsWith('@_')) result[key] = child;
		else result[key] = redactCardData(child);
	}
	return result;
}

function mapElements(value: XmlValue, map: (node: XmlNode) => XmlNode): XmlValue {
	return Array.isArray(value) ? value.map((each) => map(asCardNode(each))) : map(asCardNode(value));
}

function asCardNode(value: XmlValue): XmlNode {
	return typeof value === 'string' || Array.isArray(value) ? {} : value;
}

/** Brand and last four digits: the only card facts that survive. */
function summarizeCard(card: XmlNode): XmlNode {
	const brand = attr(card, 'CardCode') ?? text(children(card, 'CardType')[0]);
	const numberElement = children(card, 'CardNumber')[0];
	const candidates = [
		attr(card, 'CardNumber'),
		text(children(numberElement, 'PlainText')[0]),
		attr(numberElement, 'Mask'),
		attr(card, 'MaskedCardNumber'),
	];
	let last4: string | undefined;
	for (const candidate of candidates) {
		const digits = candidate?.replace(/\D/g, '') ?? '';
		if (digits.length >= 4) {
			last4 = digits.slice(-4);
			break;
		}
	}
	const summary: XmlNode = { '@_Redacted': 'true' };
	if (brand) summary['@_CardCode'] = maskCardNumbers(brand).slice(0, 32);
	if (last4) summary['@_Last4'] = last4;
	return summary;
}

/** Replaces anything that looks like a card number (13–19 digits passing Luhn) by x's and its last four digits. */
export function maskCardNumbers(textValue: string): string {
	return textValue.replace(CARD_NUMBER_CANDIDATE, (match) => {
		const digits = match.replace(/[ -]/g, '');
		if (digits.length < 13 || digits.length > 19 || !passesLuhn(digits)) return match;
		return 'x'.repeat(digits.length - 4) + digits.slice(-4);
	});
}
