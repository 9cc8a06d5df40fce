/**
 * Everything the OpenTravel message layer rejects, on the way in (a channel's XML) or on the way out
 * (our own input that would not make a schema-valid message). The message names the element or
 * field at fault, e.g. "HotelReservation[2]/RoomStays/RoomStay[1]: missing TimeSpan Start", so an
 * operator can find it in the message without the layer ever echoing guest or card data.
 */

/** What kind of problem it is, for callers that map it to an HTTP status or an OTA error code. */
export type OtaErrorKind =
	/** The raw message is bigger than the configured limit (HTTP 413). */
	| 'too_large'
	/** DOCTYPE / ENTITY declarations: refused outright, never expanded. */
	| 'forbidden_markup'
	/** Not well-formed XML, or not in an accepted encoding. */
	| 'malformed'
	/** Well-formed, but not the message this parser reads. */
	| 'unexpected_root'
	/** The right message, but a required element or attribute is missing or unusable. */
	| 'invalid_content'
	/** A builder was given data that cannot become a schema-valid message. */
	| 'invalid_input';

export class OtaMessageError extends Error {
	constructor(
		readonly kind: OtaErrorKind,
		message: string,
		/** Where in the message (or in the builder's input) the problem is. */
		readonly path?: string,
	) {
		super(path ? `${path}: ${message}` : message);
		this.name = 'OtaMessageError';
	}
}

/** Input to a builder that cannot be sent. */
export const invalidInput = (field: string, message: string) => new OtaMessageError('invalid_input', message, field);

/** Incoming content that cannot be understood. */
export const invalidContent = (path: string, message: string) => new OtaMessageError('invalid_content', message, path);
