/**
 * Serialising OTA messages with fast-xml-parser's XMLBuilder. Builders describe a message as plain
 * objects: "@_Name" keys are attributes, other keys child elements in insertion order (the XSDs
 * enforce element order, so the order of keys in a builder IS the schema order), arrays repeat an
 * element, undefined leaves it out and '' writes an empty element such as <Success/>.
 * XMLBuilder escapes & < > " ' in text and attributes; values.ts has already refused anything
 * else XML cannot carry.
 */
import { randomUUID } from 'node:crypto';
import { XMLBuilder } from 'fast-xml-parser';
import { OTA_DEFAULT_VERSION, OTA_NAMESPACE } from './constants';
import type { MessageOptions } from './types';
import { invalidInput } from './errors';
import { attributeText, dateTime } from './values';

/** What a builder hands to the serialiser; undefined members are omitted. */
export type XmlBody = { [key: string]: XmlBody | XmlBody[] | string | number | undefined };

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The builder settings (exported for the bench, like READER_OPTIONS). */
export const WRITER_OPTIONS = {
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	textNodeName: '#text',
	suppressEmptyNode: true,
	// "true" must stay an attribute value (PrimaryIndicator="true"), not become a bare attribute name.
	suppressBooleanAttributes: false,
	format: false,
};

const builder = new XMLBuilder(WRITER_OPTIONS);

/** One element, serialised without a declaration (for embedding, e.g. into a SOAP body). */
export function serializeElement(name: string, body: XmlBody): string {
	return builder.build({ [name]: body }) as string;
}

/** A complete document: declaration plus the root element. */
export function serializeDocument(root: string, body: XmlBody): string {
	return `${XML_DECLARATION}\n${serializeElement(root, body)}`;
}

/** xmlns, EchoToken, TimeStamp and Version (OTA_PayloadStdAttributes), which every OTA root carries. */
export function payloadAttributes(opts: MessageOptions = {}): XmlBody {
	const version = opts.version ?? OTA_DEFAULT_VERSION;
	if (!/^\d+(\.\d+)?$/.test(version)) throw invalidInput('version', 'must be a decimal such as 1.0');
	return {
		'@_xmlns': OTA_NAMESPACE,
		'@_EchoToken': attributeText(opts.echoToken ?? randomUUID(), 'echoToken', 128),
		'@_TimeStamp': dateTime(opts.timeStamp ?? new Date(), 'timeStamp'),
		'@_Version': version,
		'@_Target': opts.target,
	};
}

/** A full OTA message: the standard root attributes, then the message's own attributes and children. */
export function otaDocument(root: string, body: XmlBody, opts?: MessageOptions): string {
	return serializeDocument(root, { ...payloadAttributes(opts), ...body });
}
