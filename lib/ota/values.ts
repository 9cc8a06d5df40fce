/**
 * Checks on what a builder is about to write, so every message we send is schema-valid: a value
 * that would break the XSD (too long, empty, an impossible date, a character XML cannot carry)
 * throws OtaMessageError naming the input field, instead of producing a message the channel
 * rejects later. Lengths are counted in characters (code points), as XML Schema counts them.
 */
import { invalidInput } from './errors';

/** Characters XML 1.0 cannot carry at all (C0 controls except tab/LF/CR, U+FFFE/FFFF, lone surrogates). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LINE_BREAK_OR_TAB = /[\t\n\r]/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const XS_DATE_TIME = /^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
/** OTA_CodeType, e.g. "3", "450", "ABC.DEF.X". */
const OTA_CODE = /^[0-9A-Z]{1,3}(\.[A-Z]{3}(\.X)?)?$/;

export const characterCount = (text: string): number => [...text].length;

/** Free text (a name, a comment): any characters XML can carry, within the schema's length. */
export function text(value: unknown, field: string, maxLength = Infinity): string {
	if (typeof value !== 'string' || value.length === 0) throw invalidInput(field, 'must be a non-empty string');
	if (NOT_XML_CHAR.test(value)) throw invalidInput(field, 'contains a character XML cannot carry');
	if (characterCount(value) > maxLength) throw invalidInput(field, `is longer than ${maxLength} characters`);
	return value;
}

/**
 * Free text for an attribute: XML parsers turn tabs and line breaks in attributes into spaces, so
 * we write spaces ourselves and the receiver sees exactly what we validated.
 */
export function attributeText(value: unknown, field: string, maxLength = Infinity): string {
	return text(typeof value === 'string' ? value.replace(/[\t\n\r]/g, ' ') : value, field, maxLength);
}

/** A code (room type, rate plan, hotel, reservation id): no line breaks and no surrounding blanks. */
export function code(value: unknown, field: string, maxLength: number): string {
	const checked = text(value, field, maxLength);
	if (LINE_BREAK_OR_TAB.test(checked)) throw invalidInput(field, 'must not contain tabs or line breaks');
	if (checked.trim() !== checked) throw invalidInput(field, 'must not start or end with a blank');
	return checked;
}

export function optionalCode(value: unknown, field: string, maxLength: number): string | undefined {
	return value === undefined ? undefined : code(value, field, maxLength);
}

/** A calendar date YYYY-MM-DD that exists. */
export function date(value: unknown, field: string): string {
	if (typeof value !== 'string' || !ISO_DATE.test(value)) throw invalidInput(field, 'must be a date as YYYY-MM-DD');
	const ms = Date.parse(`${value}T00:00:00Z`);
	if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw invalidInput(field, `${value} is not a real date`);
	return value;
}

export function dateTime(value: unknown, field: string): string {
	const textValue = value instanceof Date ? value.toISOString() : value;
	if (typeof textValue !== 'string' || !XS_DATE_TIME.test(textValue) || Number.isNaN(Date.parse(textValue))) {
		throw invalidInput(field, 'must be a date-time such as 2026-05-01T12:00:00Z');
	}
	return textValue;
}

export function integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
		throw invalidInput(field, `must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`);
	}
	return value;
}

export function otaCode(value: unknown, field: string): string {
	if (typeof value !== 'string' || !OTA_CODE.test(value)) throw invalidInput(field, 'must be an OTA code such as "450" (1–3 digits or capitals)');
	return value;
}

/** The date range of an update: real dates, start not after end. */
export function dateRange(start: unknown, end: unknown, field: string): { start: string; end: string } {
	const from = date(start, `${field}.start`);
	const to = date(end, `${field}.end`);
	if (to < from) throw invalidInput(field, `end ${to} is before start ${from}`);
	return { start: from, end: to };
}
