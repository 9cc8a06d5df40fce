/**
 * The OTA messages only a channel writes, on top of lib/ota's builders: a Success/Errors answer
 * for any request the peer takes (the public builders cover our side's answers, not all of the
 * channel's), the empty pull answer, and the OTA element out of a SOAP body for the XSD check.
 */
import { errorsElement, issueElement } from '../../../lib/ota/acknowledgements';
import { otaDocument } from '../../../lib/ota/xmlWriter';
import type { OtaIssue } from '../../../lib/ota';

/** What the channel answers to each message it takes. Booking.com acknowledgements get the same root back. */
const RESPONSE_ROOTS: Record<string, string> = {
	OTA_HotelAvailNotifRQ: 'OTA_HotelAvailNotifRS',
	OTA_HotelRateAmountNotifRQ: 'OTA_HotelRateAmountNotifRS',
	OTA_HotelAvailRQ: 'OTA_HotelAvailRS',
	OTA_ReadRQ: 'OTA_ResRetrieveRS',
	OTA_NotifReportRQ: 'OTA_NotifReportRS',
	OTA_HotelResNotifRS: 'OTA_HotelResNotifRS',
	OTA_HotelResModifyNotifRS: 'OTA_HotelResModifyNotifRS',
};

export const ACCEPTED_ROOTS = Object.keys(RESPONSE_ROOTS);

export function responseRootFor(requestRoot: string): string {
	const root = RESPONSE_ROOTS[requestRoot];
	if (!root) throw new Error(`no response defined for ${requestRoot}`);
	return root;
}

/** OTA code lists EWT (type) and ERR (code) for the peer's refusals. */
export const ISSUE = {
	invalidMessage: { type: '7', code: '450' },
	unknownHotel: { type: '3', code: '392' },
	tooManyUpdates: { type: '3', code: '450' },
	monthSpan: { type: '3', code: '450' },
	unknownReservation: { type: '3', code: '245' },
	noRecordId: { type: '3', code: '450' },
} as const;

export function issue(kind: keyof typeof ISSUE, message: string, recordId?: string): OtaIssue {
	return { ...ISSUE[kind], message: message.slice(0, 1_000), ...(recordId ? { recordId } : {}) };
}

export interface Outcome {
	errors?: OtaIssue[];
	warnings?: OtaIssue[];
}

/** Success (with warnings) or Errors under `root`, echoing the request's token when it can be echoed. */
export function acknowledgementRS(root: string, outcome: Outcome, echoToken?: string): string {
	const body = ackBody(outcome);
	try {
		return otaDocument(root, body, { echoToken });
	} catch {
		// A token the schema cannot carry (too long, control characters) is not echoed.
		return otaDocument(root, body);
	}
}

function ackBody({ errors = [], warnings = [] }: Outcome) {
	if (errors.length > 0) return { Errors: errorsElement(errors.slice(0, 99), 'errors') };
	return {
		Success: '',
		Warnings: warnings.length > 0 ? { Warning: warnings.slice(0, 99).map((each, index) => issueElement(each, `warnings[${index}]`, 'warning')) } : undefined,
	};
}

/** A pull with nothing to deliver: the bare root validates (HotelReservations is optional). */
export function emptyPull(root: 'OTA_HotelResNotifRQ' | 'OTA_HotelResModifyNotifRQ'): string {
	return otaDocument(root, {});
}

const START_TAG_NAMESPACES = /\sxmlns(?::[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')/g;

/**
 * The element inside a SOAP Body as a document of its own. Namespace declarations made on
 * Envelope or Body (a client may declare the OTA namespace there) are copied onto it, so the
 * element means the same thing when validated alone.
 */
export function soapBodyXml(raw: string): string | undefined {
	const open = /<(?:[\w.-]+:)?Body\b([^>]*)>/.exec(raw);
	const close = raw.lastIndexOf('Body>');
	if (!open || close < 0) return undefined;
	const inner = raw.slice(open.index + open[0].length, raw.lastIndexOf('</', close)).trim();
	const envelopeTag = /<(?:[\w.-]+:)?Envelope\b([^>]*)>/.exec(raw)?.[1] ?? '';
	const rootTag = /^(?:<!--[\s\S]*?-->\s*)*<[\w.:-]+([^>]*)>/.exec(inner);
	if (!rootTag) return undefined;
	const declared = new Set(namespaceDeclarations(rootTag[1]).keys());
	// Body's declarations override Envelope's; the element's own override both.
	const scope = new Map([...namespaceDeclarations(envelopeTag), ...namespaceDeclarations(open[1])]);
	const inherited = [...scope].filter(([name]) => !declared.has(name)).map(([, declaration]) => declaration);
	if (inherited.length === 0) return inner;
	const nameEnd = rootTag.index + rootTag[0].length - rootTag[1].length - 1;
	return `${inner.slice(0, nameEnd)} ${inherited.join(' ')}${inner.slice(nameEnd)}`;
}

/** xmlns / xmlns:prefix declarations of a start tag's attributes, by attribute name. */
function namespaceDeclarations(attributes: string): Map<string, string> {
	return new Map([...attributes.matchAll(START_TAG_NAMESPACES)].map((match) => [match[0].split('=')[0].trim(), match[0].trim()]));
}
