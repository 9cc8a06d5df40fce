/**
 * Any OTA message as it arrives: bare, or inside a SOAP envelope (which is opened transparently).
 * Parsers built on this name the root they expect, so a misrouted message fails with a clear error.
 */
import { OTA_NAMESPACE } from './constants';
import { OtaMessageError } from './errors';
import { otaElementNamespace } from './namespaces';
import { interpretEnvelope } from './soap';
import type { ParsedOtaMessage, ParseOptions } from './types';
import { readXml } from './xmlReader';
import { attr } from './xmlTree';

export function parseOtaMessage(input: string | Uint8Array, opts: ParseOptions = {}): ParsedOtaMessage {
	const document = readXml(input, opts);
	const soap = interpretEnvelope(document);
	const root = soap ? soap.root : document.root;
	const body = soap ? soap.body : document.node;
	return {
		root,
		echoToken: attr(body, 'EchoToken'),
		timeStamp: attr(body, 'TimeStamp'),
		body,
		namespace: otaElementNamespace(document.text) ?? '',
		soap: soap ? { usernameToken: soap.usernameToken, fault: soap.fault } : undefined,
	};
}

/**
 * Parses and checks the root is one of `expected`, in the OTA namespace or in none (channels in the
 * field leave it out); an element of that name in any other namespace is not an OTA message. A SOAP
 * fault is reported as such.
 */
export function parseExpected(input: string | Uint8Array, expected: readonly string[], opts?: ParseOptions): ParsedOtaMessage {
	const message = parseOtaMessage(input, opts);
	if (message.soap?.fault) {
		const { code, message: text } = message.soap.fault;
		throw new OtaMessageError('unexpected_root', `expected ${expected.join(' or ')}, got a SOAP fault (${code}: ${text})`);
	}
	if (!expected.includes(message.root)) {
		throw new OtaMessageError('unexpected_root', `expected ${expected.join(' or ')}, got ${message.root}`);
	}
	if (message.namespace !== '' && message.namespace !== OTA_NAMESPACE) {
		throw new OtaMessageError('unexpected_root', `expected ${message.root} in the OpenTravel namespace ${OTA_NAMESPACE}, got namespace "${message.namespace.slice(0, 200)}"`);
	}
	return message;
}
