/**
 * The channel's side of SOAP (SiteMinder pmsXchange, Expedia's Booking Notification API): opening
 * the envelopes we send, with their WS-Security UsernameToken, and the OTA element out of a SOAP
 * body for the XSD check. Our side reads envelopes through parseOtaMessage (lib/ota/otaDocument.ts)
 * and writes them with lib/ota/soap.ts.
 */
import { OtaMessageError } from '../../../../lib/ota/errors';
import { interpretEnvelope, type UnwrappedSoap } from '../../../../lib/ota/soap';
import type { ParseOptions } from '../../../../lib/ota/types';
import { readXml } from '../../../../lib/ota/xmlReader';

/** Opens a SOAP envelope; throws OtaMessageError if the message is not one. */
export function unwrapSoap(xml: string | Uint8Array, opts: ParseOptions = {}): UnwrappedSoap {
	const document = readXml(xml, opts);
	const unwrapped = interpretEnvelope(document);
	if (!unwrapped) throw new OtaMessageError('unexpected_root', `expected a SOAP Envelope, got ${document.root}`);
	return unwrapped;
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
