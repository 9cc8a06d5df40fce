/**
 * Reading XML from channels, which is untrusted input. Before anything is parsed:
 *  - the raw size is checked against a limit (default 2 MB, SiteMinder's message limit);
 *  - DOCTYPE and ENTITY declarations are refused outright, so no entity is ever expanded and no
 *    external resource is ever fetched (billion laughs, XXE): no channel needs a DTD;
 *  - bytes must be UTF-8 (or the ISO-8859-1/windows-1252 their declaration announces);
 *  - the text must be well-formed (XMLValidator), so the error names the problem and its line.
 * Then fast-xml-parser builds a plain object tree with entity processing OFF; the five predefined
 * entities and character references are decoded here, by a fixed table that cannot expand.
 * Namespace prefixes are dropped (soap:Envelope, ota:OTA_ReadRQ read as Envelope, OTA_ReadRQ).
 * Last, card data is redacted (cardRedaction.ts): no caller ever sees a card number.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { redactCardData } from './cardRedaction';
import { OtaMessageError } from './errors';
import type { XmlNode, XmlValue } from './types';
import { asNode } from './xmlTree';

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

const FORBIDDEN_DECLARATION = /<!\s*(DOCTYPE|ENTITY)/i;
const ENCODING_DECLARATION = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/;
const SINGLE_BYTE_ENCODINGS = new Set(['iso-8859-1', 'latin1', 'windows-1252', 'us-ascii', 'ascii']);
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g;

/** The parser settings (exported so the bench times fast-xml-parser exactly as configured here). */
export const READER_OPTIONS = {
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	textNodeName: '#text',
	cdataPropName: '#cdata',
	removeNSPrefix: true,
	processEntities: false,
	htmlEntities: false,
	ignoreDeclaration: true,
	ignorePiTags: true,
	// Codes such as "007" or "1e3" must stay strings.
	parseTagValue: false,
	parseAttributeValue: false,
	// Whitespace is trimmed per value by the readers, after entity decoding.
	trimValues: false,
	maxNestedTags: 100,
};

const parser = new XMLParser(READER_OPTIONS);

export interface ReadOptions {
	maxBytes?: number;
}

/** A parsed document: the root element's local name and its content. */
export interface XmlDocument {
	root: string;
	node: XmlNode;
}

export function readXml(input: string | Uint8Array, opts: ReadOptions = {}): XmlDocument {
	const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
	if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
		throw new OtaMessageError('malformed', 'the message must be a string or a Buffer');
	}
	const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
	if (size > maxBytes) {
		throw new OtaMessageError('too_large', `the message is ${size} bytes, more than the limit of ${maxBytes} bytes`);
	}
	const xml = decode(input).replace(/^\uFEFF/, '');
	if (FORBIDDEN_DECLARATION.test(xml)) {
		throw new OtaMessageError(
			'forbidden_markup',
			'DOCTYPE and ENTITY declarations are not accepted (entity expansion and external entities are refused)',
		);
	}
	const verdict = XMLValidator.validate(xml);
	if (verdict !== true) {
		const { msg, line, col } = verdict.err;
		throw new OtaMessageError('malformed', `malformed XML at line ${line}, column ${col}: ${msg}`);
	}
	let tree: XmlNode;
	try {
		tree = parser.parse(xml) as XmlNode;
	} catch (error) {
		throw new OtaMessageError('malformed', `unreadable XML: ${(error as Error).message}`);
	}
	const roots = Object.keys(tree).filter((key) => !key.startsWith('#'));
	// Two roots of the same name parse as one array; XMLValidator misses self-closing ones.
	if (roots.length !== 1 || Array.isArray(tree[roots[0]])) throw new OtaMessageError('malformed', 'malformed XML: the message must have exactly one root element');
	const root = roots[0];
	return { root, node: asNode(redactCardData(decodeReferences(tree[root]))) };
}

function decode(input: string | Uint8Array): string {
	if (typeof input === 'string') return input;
	if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
		throw new OtaMessageError('malformed', 'UTF-16 messages are not accepted; send UTF-8');
	}
	const head = Buffer.from(input.subarray(0, 200)).toString('latin1');
	const declared = ENCODING_DECLARATION.exec(head)?.[1].toLowerCase();
	if (declared && SINGLE_BYTE_ENCODINGS.has(declared)) return new TextDecoder('windows-1252').decode(input);
	if (declared && declared !== 'utf-8' && declared !== 'utf8') {
		throw new OtaMessageError('malformed', `encoding "${declared}" is not accepted; send UTF-8`);
	}
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(input);
	} catch {
		throw new OtaMessageError('malformed', 'the message is not valid UTF-8');
	}
}

/** Entity references in text and attributes (never inside CDATA, which is literal). */
function decodeReferences(value: XmlValue): XmlValue {
	if (typeof value === 'string') return value.includes('&') ? value.replace(REFERENCE, replaceReference) : value;
	if (Array.isArray(value)) return value.map(decodeReferences);
	const result: XmlNode = {};
	for (const [key, child] of Object.entries(value)) {
		// Indentation between child elements is not content.
		if (key === '#text' && isBlank(child)) continue;
		result[key] = key === '#cdata' ? child : decodeReferences(child);
	}
	return result;
}

function isBlank(value: XmlValue): boolean {
	return typeof value === 'string' ? value.trim() === '' : Array.isArray(value) && value.every(isBlank);
}

function replaceReference(whole: string, name: string): string {
	if (name[0] !== '#') return PREDEFINED[name];
	const codePoint = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
	return codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff) ? String.fromCodePoint(codePoint) : whole;
}
