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
 *
 * This is a walk over the whole tree, not a lookup at the schema's card positions (Guarantee,
 * DepositPayments, PaymentForm): channels put cards in TPA_Extensions and comments too, and only a
 * full walk can promise that nothing card-like survives anywhere. The XML reader runs it in the same
 * pass that decodes character references (xmlReader.ts), so it costs one walk, not a walk of its own.
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
/** The fewest digits a card number has (and so the fewest a text must hold to need the regex). */
const MIN_CARD_DIGITS = 13;

/** What the walk does with one key of an element: keep (and walk into), drop, or replace by a summary. */
export type CardKeyRole = 'keep' | 'drop' | 'card' | 'account';

/** Every key that is not 'keep', element and attribute forms alike: one lookup per key in the walk. Later entries win: a card-field name is dropped, whatever else it is. */
const ROLES = new Map<string, CardKeyRole>([
	...[...CARD_ELEMENTS].map((name): [string, CardKeyRole] => [name, 'card']),
	...[...ACCOUNT_ELEMENTS].map((name): [string, CardKeyRole] => [name, 'account']),
	...[...SENSITIVE_NAMES].flatMap((name): Array<[string, CardKeyRole]> => [
		[name, 'drop'],
		[`@_${name}`, 'drop'],
	]),
]);

/** The role of an element or attribute ("@_Name") key; the XML reader's walk asks this for every key. */
export function cardKeyRole(key: string): CardKeyRole {
	return ROLES.get(key) ?? 'keep';
}

/**
 * A card or bank account element (one or repeated) replaced by its summary. `value` must already
 * have its character references decoded: the summary reads the brand and digits out of it.
 */
export function summarizeCardElements(role: 'card' | 'account', value: XmlValue): XmlValue {
	return mapElements(value, role === 'card' ? summarizeCard : () => ({ '@_Redacted': 'true' }));
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
	// The one more fact that survives: whether the channel pays by virtual card (its payment model).
	if (isVirtualCard(card)) summary['@_Virtual'] = 'true';
	return summary;
}

/**
 * Booking.com's virtual cards carry a balance and activation/expiry dates of their own; Expedia's
 * are held by "Expedia VirtualCard". Read here, before the holder name is dropped.
 */
function isVirtualCard(card: XmlNode): boolean {
	if (VIRTUAL_CARD_ATTRIBUTES.some((name) => attr(card, name) !== undefined)) return true;
	const holder = [attr(card, 'CardHolderName'), text(children(card, 'CardHolderName')[0])].join(' ');
	return /virtual\s*card/i.test(holder);
}

const VIRTUAL_CARD_ATTRIBUTES = ['VCCExpirationDate', 'VCCActivationDate', 'CurrentBalance'];

/** Replaces anything that looks like a card number (13–19 digits passing Luhn) by x's and its last four digits. */
export function maskCardNumbers(textValue: string): string {
	// Nearly every text (names, codes, dates, amounts) has fewer than 13 digits and so cannot hold a
	// card number: counting digits is much cheaper than running the regex over it.
	if (!hasDigits(textValue, MIN_CARD_DIGITS)) return textValue;
	return textValue.replace(CARD_NUMBER_CANDIDATE, (match) => {
		const digits = match.replace(/[ -]/g, '');
		if (digits.length < MIN_CARD_DIGITS || digits.length > 19 || !passesLuhn(digits)) return match;
		return 'x'.repeat(digits.length - 4) + digits.slice(-4);
	});
}

/** True when `textValue` holds at least `count` ASCII digits (anywhere). */
function hasDigits(textValue: string, count: number): boolean {
	if (textValue.length < count) return false;
	let found = 0;
	for (let i = 0; i < textValue.length; i++) {
		const code = textValue.charCodeAt(i);
		if (code >= 48 && code <= 57 && ++found >= count) return true;
	}
	return false;
}
