/**
 * SOAP 1.1 around OTA messages, as SiteMinder pmsXchange and Expedia's Booking Notification API
 * use it: the OTA element is the only child of Body, and the caller authenticates with a
 * WS-Security UsernameToken whose password is sent as text (PasswordText) over TLS. Envelopes that
 * arrive are opened by parseOtaMessage (otaDocument.ts) through interpretEnvelope; the channel's
 * side (the local OTA peer) opens ours with unwrapSoap in test/peers/ota/messages/channelSideSoap.ts.
 */
import { SOAP_ENVELOPE_NAMESPACE, WSSE_NAMESPACE, WSSE_PASSWORD_TEXT } from './constants';
import { OtaMessageError } from './errors';
import type { SoapCredentials, SoapFault, XmlNode } from './types';
import { attributeText, text as checkedText } from './values';
import { readXml, type XmlDocument } from './xmlReader';
import { attr, child, text } from './xmlTree';
import { serializeElement, XML_DECLARATION } from './xmlWriter';

const ENV = 'SOAP-ENV';

function envelope(header: string, body: string): string {
	return (
		`${XML_DECLARATION}\n<${ENV}:Envelope xmlns:${ENV}="${SOAP_ENVELOPE_NAMESPACE}">` +
		(header ? `<${ENV}:Header>${header}</${ENV}:Header>` : '') +
		`<${ENV}:Body>${body}</${ENV}:Body></${ENV}:Envelope>`
	);
}

/** Puts an OTA message (as our builders return it, declaration included) into a SOAP envelope. */
export function wrapSoap(bodyXml: string, credentials?: SoapCredentials): string {
	const body = bodyXml.replace(/^\uFEFF?\s*<\?xml[^>]*\?>\s*/, '');
	// The body is spliced in as text, so make sure it is one well-formed element and nothing more.
	const parsed = readXml(body, { maxBytes: Infinity });
	if (parsed.root === 'Envelope') throw new OtaMessageError('invalid_input', 'the body is already a SOAP envelope');
	let header = '';
	if (credentials) {
		header = serializeElement('wsse:Security', {
			'@_xmlns:wsse': WSSE_NAMESPACE,
			[`@_${ENV}:mustUnderstand`]: '1',
			'wsse:UsernameToken': {
				'wsse:Username': checkedText(credentials.username, 'username'),
				'wsse:Password': { '@_Type': WSSE_PASSWORD_TEXT, '#text': checkedText(credentials.password, 'password') },
			},
		});
	}
	return envelope(header, body);
}

/**
 * A SOAP fault. `code` is Client (the sender's message is wrong: do not retry it as it is) or
 * Server (our side failed: Expedia and others retry).
 */
export function buildSoapFault(code: 'Client' | 'Server' | string, message: string): string {
	const faultCode = code.includes(':') ? code : `${ENV}:${code}`;
	const fault = serializeElement(`${ENV}:Fault`, {
		faultcode: attributeText(faultCode, 'code', 256),
		faultstring: checkedText(message, 'message'),
	});
	return envelope('', fault);
}

export interface UnwrappedSoap {
	/** Local name of the element in Body ("OTA_ReadRQ"), or "Fault". */
	root: string;
	/** That element, parsed. */
	body: XmlNode;
	fault?: SoapFault;
	usernameToken?: SoapCredentials;
}

/** The content of an already parsed envelope, or undefined if the document is not an envelope. */
export function interpretEnvelope(document: XmlDocument): UnwrappedSoap | undefined {
	if (document.root !== 'Envelope') return undefined;
	const bodyElement = child(document.node, 'Body');
	if (!bodyElement) throw new OtaMessageError('invalid_content', 'missing Body', 'Envelope');
	const elements = Object.keys(bodyElement).filter((key) => !key.startsWith('@_') && !key.startsWith('#'));
	if (elements.length !== 1) throw new OtaMessageError('invalid_content', 'Body must hold exactly one element', 'Envelope/Body');
	const root = elements[0];
	const body = child(bodyElement, root) ?? {};
	const token = child(child(child(document.node, 'Header'), 'Security'), 'UsernameToken');
	const username = text(child(token, 'Username'));
	const password = text(child(token, 'Password'));
	return {
		root,
		body,
		fault: root === 'Fault' ? readFault(body) : undefined,
		usernameToken: username !== undefined ? { username, password: password ?? '' } : undefined,
	};
}

/** SOAP 1.1 faultcode/faultstring, or SOAP 1.2 Code/Value and Reason/Text. */
function readFault(fault: XmlNode): SoapFault {
	const code = text(child(fault, 'faultcode')) ?? text(child(child(fault, 'Code'), 'Value')) ?? 'Server';
	const message =
		text(child(fault, 'faultstring')) ?? text(child(child(fault, 'Reason'), 'Text')) ?? attr(fault, 'faultstring') ?? 'SOAP fault';
	return { code: code.replace(/^[^:]*:/, ''), message };
}
