/**
 * Real channels deliver the guarantee card in full: number, CVC (SeriesCode), expiry and holder
 * name. Our builders only ever write a brand and a masked number, so the peer puts the full card
 * back into what it delivers — otherwise a test could never show that the hotel side drops it.
 *
 * Only public test card numbers are used (the brand's well-known test PAN, its last four digits
 * replaced by the reservation's and the check digit repaired), never anything that could be real.
 */

/** Public test PANs (Stripe / Adyen documentation), by OTA card code. */
const TEST_PANS: Record<string, string> = {
	VI: '4111111111111111',
	MC: '5555555555554444',
	AX: '378282246310005',
	DS: '6011111111111117',
	JC: '3530111333300000',
	DN: '36227206271667',
	CB: '4111111111111111',
	MA: '5555555555554444',
	UP: '6200000000000005',
};

export const TEST_CARD_HOLDER = 'TEST CARDHOLDER';
export const TEST_CVC = '737';

export function passesLuhn(digits: string): boolean {
	let sum = 0;
	for (let i = 0; i < digits.length; i++) {
		let digit = Number(digits[digits.length - 1 - i]);
		if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
		sum += digit;
	}
	return sum % 10 === 0;
}

/** The brand's test PAN ending in `last4`, with the digit before the last four chosen so Luhn passes. */
export function testCardNumber(cardCode: string | undefined, last4: string | undefined): string {
	const base = TEST_PANS[cardCode ?? ''] ?? TEST_PANS.VI;
	if (last4 === undefined || !/^\d{4}$/.test(last4)) return base;
	const head = base.slice(0, -5);
	for (let digit = 0; digit <= 9; digit++) {
		const candidate = `${head}${digit}${last4}`;
		if (passesLuhn(candidate)) return candidate;
	}
	// Unreachable: doubling or not, the ten digits give ten different sums mod 10.
	return base;
}

/** MMYY, three years ahead, so the card looks current whenever the tests run. */
function expireDate(): string {
	return `12${String((new Date().getUTCFullYear() + 3) % 100).padStart(2, '0')}`;
}

const PAYMENT_CARD = /<PaymentCard\b([^>]*?)(?:\/>|>([\s\S]*?)<\/PaymentCard>)/g;

/**
 * Rewrites every PaymentCard our builders wrote (CardCode plus CardNumber/@Mask) into a full one,
 * in the schema's element order: CardHolderName, CardNumber/PlainText, SeriesCode/PlainText.
 */
export function withFullCardData(xml: string): string {
	return xml.replace(PAYMENT_CARD, (_match, attributes: string, content: string | undefined) => {
		const cardCode = /\bCardCode="([^"]*)"/.exec(attributes)?.[1];
		const last4 = /\bMask="[^"]*?(\d{4})"/.exec(content ?? '')?.[1];
		const number = testCardNumber(cardCode, last4);
		return (
			`<PaymentCard${attributes} ExpireDate="${expireDate()}">` +
			`<CardHolderName>${TEST_CARD_HOLDER}</CardHolderName>` +
			`<CardNumber><PlainText>${number}</PlainText></CardNumber>` +
			`<SeriesCode><PlainText>${TEST_CVC}</PlainText></SeriesCode>` +
			'</PaymentCard>'
		);
	});
}
