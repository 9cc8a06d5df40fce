/**
 * Acknowledgements, both ways:
 *  - our answers to the reservations channels push: OTA_HotelResNotifRS / OTA_HotelResModifyNotifRS
 *    (Success with our confirmation number per reservation, or Errors);
 *  - our acknowledgement of pulled reservations, OTA_NotifReportRQ (SiteMinder);
 *  - parseAckResponse, which reads any OTA response (the channels' OTA_HotelAvailNotifRS,
 *    OTA_HotelRateAmountNotifRS, OTA_NotifReportRS…) and a SOAP fault into ok/errors/warnings.
 * The schemas make Success and Errors a choice: one message is all success or all errors. The
 * channel's own acknowledgements are built only by the local OTA peer
 * (test/peers/ota/messages/channelSideAcknowledgements.ts).
 */
import { DEFAULT_ERROR_CODE, ERROR_TYPE, MAX_HOTEL_CODE, MAX_CHANNEL_RESERVATION_ID, MAX_RESERVATION_ID, UNIQUE_ID_TYPE } from './constants';
import { invalidInput, OtaMessageError } from './errors';
import { parseOtaMessage } from './otaDocument';
import type { MessageOptions, OtaIssue, ParsedAck, ParseOptions, ReservationResult, XmlNode } from './types';
import { characterCount, code, optionalCode, otaCode, text as checkedText } from './values';
import { attr, child, children, descend, descendAll, text } from './xmlTree';
import { otaDocument, type XmlBody } from './xmlWriter';

/** ErrorsType allows at most 99 Error elements. */
export const MAX_ERRORS = 99;
/** HotelReservationID/@ResID_Value is StringLength1to64. */
const MAX_CONFIRMATION = 64;

export interface ReservationAckOptions extends MessageOptions {
	/** Written as BasicPropertyInfo/@HotelCode, which the schema requires in ResGlobalInfo. */
	hotelCode?: string;
	/** HotelReservationID/@ResID_Type of our confirmation number: 10 (Hotel) by default; Expedia reads 3. */
	confirmationIdType?: string;
	/** Also name the channel's id as a HotelReservationID of this type (Expedia: 8). */
	channelIdType?: string;
}

function toIssue(issue: string | OtaIssue | undefined): OtaIssue {
	if (issue === undefined) return { message: 'The reservation could not be processed.' };
	return typeof issue === 'string' ? { message: issue } : issue;
}

/** An Error (default type 3 business rule, code 450 unable to process) or a Warning. */
export function issueElement(issue: string | OtaIssue | undefined, field: string, kind: 'error' | 'warning'): XmlBody {
	const { message, code: issueCode, type, recordId } = toIssue(issue);
	const defaultCode = kind === 'error' ? DEFAULT_ERROR_CODE : undefined;
	return {
		'@_Type': otaCode(type ?? ERROR_TYPE.businessRule, `${field}.type`),
		'@_Code': issueCode === undefined ? defaultCode : otaCode(issueCode, `${field}.code`),
		'@_RecordID': optionalCode(recordId, `${field}.recordId`, 64),
		'#text': checkedText(message, `${field}.message`),
	};
}

export function errorsElement(issues: Array<string | OtaIssue>, field: string): XmlBody {
	if (issues.length > MAX_ERRORS) throw invalidInput(field, `at most ${MAX_ERRORS} errors fit in one message`);
	return { Error: issues.map((issue, index) => issueElement(issue, `${field}[${index}]`, 'error')) };
}

/**
 * Our answer to pushed new reservations. Any failure makes the whole answer Errors (the schema
 * allows no mix); the channel then redelivers, and the reservations we did take are recognised as
 * duplicates. A success must carry our confirmation number: Expedia counts nothing else as success.
 */
export function buildHotelResNotifRS(results: ReservationResult[], opts: ReservationAckOptions = {}): string {
	return reservationResponse('OTA_HotelResNotifRS', 'HotelReservations', 'HotelReservation', results, opts);
}

/** The same for modifications and cancellations. */
export function buildHotelResModifyNotifRS(results: ReservationResult[], opts: ReservationAckOptions = {}): string {
	return reservationResponse('OTA_HotelResModifyNotifRS', 'HotelResModifies', 'HotelResModify', results, opts);
}

function reservationResponse(root: string, container: string, element: string, results: ReservationResult[], opts: ReservationAckOptions): string {
	requireResults(results);
	const failures = results.map((result, index) => ({ result, index })).filter(({ result }) => !result.ok);
	if (failures.length > 0) {
		return otaDocument(root, { '@_ResResponseType': 'Unsuccessful', Errors: errorsElement(failures.map(({ result }) => failureIssue(result)), 'results') }, opts);
	}
	const hotelCode = optionalCode(opts.hotelCode, 'hotelCode', MAX_HOTEL_CODE);
	const reservations = results.map((result, index) => {
		if (result.confirmationNumber === undefined) throw invalidInput(`results[${index}].confirmationNumber`, 'is required for a success');
		return acknowledgedReservation(result, `results[${index}]`, hotelCode, opts);
	});
	return otaDocument(root, { '@_ResResponseType': 'Committed', Success: '', [container]: { [element]: reservations } }, opts);
}

/**
 * Our acknowledgement of pulled reservations (SiteMinder pmsXchange): every delivered reservation
 * must be acknowledged or it is delivered again. Successes and errors go in separate requests.
 */
export function buildNotifReportRQ(results: ReservationResult[], opts: ReservationAckOptions = {}): string {
	requireResults(results);
	const failed = results.filter((result) => !result.ok).length;
	if (failed > 0 && failed < results.length) {
		throw invalidInput('results', 'successes and errors must be acknowledged in separate OTA_NotifReportRQ messages');
	}
	const hotelCode = optionalCode(opts.hotelCode, 'hotelCode', MAX_HOTEL_CODE);
	const outcome = failed > 0 ? { Errors: errorsElement(results.map(failureIssue), 'results') } : { Success: '' };
	return otaDocument(
		'OTA_NotifReportRQ',
		{
			...outcome,
			NotifDetails: {
				HotelNotifReport: {
					HotelReservations: { HotelReservation: results.map((result, index) => acknowledgedReservation(result, `results[${index}]`, hotelCode)) },
				},
			},
		},
		opts,
	);
}

function requireResults(results: ReservationResult[]): void {
	if (!Array.isArray(results) || results.length === 0) throw invalidInput('results', 'must hold at least one result');
}

function failureIssue(result: ReservationResult): OtaIssue {
	// A reservation whose id could not be read has none to name.
	return { ...toIssue(result.error), recordId: result.channelReservationId || undefined };
}

/**
 * UniqueID (the channel's id) and, when we have one, our confirmation number as a HotelReservationID
 * (ResID_Type 10, or the channel's type for it: Expedia's 3), after the channel's own id where the
 * channel wants it repeated there (Expedia: ResID_Type 8).
 */
function acknowledgedReservation(result: ReservationResult, field: string, hotelCode: string | undefined, opts: ReservationAckOptions = {}): XmlBody {
	const id = code(result.channelReservationId, `${field}.channelReservationId`, MAX_CHANNEL_RESERVATION_ID);
	const confirmation = result.confirmationNumber === undefined ? undefined : code(result.confirmationNumber, `${field}.confirmationNumber`, MAX_CONFIRMATION);
	// UniqueID/@ID holds 32 characters in 2015B; a longer channel id (a UUID) is named in HotelReservationID (64).
	const fitsUniqueId = characterCount(id) <= MAX_RESERVATION_ID;
	const ids: XmlBody[] = [];
	if (opts.channelIdType !== undefined || !fitsUniqueId) ids.push({ '@_ResID_Type': otaCode(opts.channelIdType ?? UNIQUE_ID_TYPE.reservation, 'channelIdType'), '@_ResID_Value': id });
	if (confirmation !== undefined) ids.push({ '@_ResID_Type': otaCode(opts.confirmationIdType ?? UNIQUE_ID_TYPE.hotel, 'confirmationIdType'), '@_ResID_Value': confirmation });
	return {
		UniqueID: fitsUniqueId ? { '@_Type': UNIQUE_ID_TYPE.reservation, '@_ID': id } : undefined,
		ResGlobalInfo:
			ids.length === 0
				? undefined
				: {
						HotelReservationIDs: { HotelReservationID: ids },
						BasicPropertyInfo: hotelCode === undefined ? '' : { '@_HotelCode': hotelCode },
					},
	};
}

// ---------------------------------------------------------------------------------------------

/** Reads Success / Errors / Warnings of any OTA *RS, of OTA_NotifReportRQ, or a SOAP fault. */
export function parseAckResponse(xml: string | Uint8Array, opts?: ParseOptions): ParsedAck {
	const message = parseOtaMessage(xml, opts);
	const fault = message.soap?.fault;
	if (fault) return { root: 'Fault', ok: false, errors: [{ message: fault.message, code: fault.code }], warnings: [], reservations: [], fault };
	if (!message.root.endsWith('RS') && message.root !== 'OTA_NotifReportRQ') {
		throw new OtaMessageError('unexpected_root', `expected an OTA response, got ${message.root}`);
	}
	const body = message.body;
	const errors = descendAll(body, 'Errors', 'Error').map(readIssue);
	return {
		root: message.root,
		echoToken: message.echoToken,
		ok: child(body, 'Success') !== undefined && errors.length === 0,
		errors,
		warnings: descendAll(body, 'Warnings', 'Warning').map(readIssue),
		reservations: readAcknowledgedReservations(body),
	};
}

function readIssue(node: XmlNode): OtaIssue {
	const issue: OtaIssue = { message: text(node) ?? attr(node, 'ShortText') ?? `Error ${attr(node, 'Code') ?? ''}`.trim() };
	const values: Array<[keyof OtaIssue, string | undefined]> = [
		['code', attr(node, 'Code')],
		['type', attr(node, 'Type')],
		['recordId', attr(node, 'RecordID')],
	];
	for (const [key, value] of values) if (value !== undefined) issue[key] = value;
	return issue;
}

function readAcknowledgedReservations(body: XmlNode): ParsedAck['reservations'] {
	const nodes = [
		...descendAll(body, 'HotelReservations', 'HotelReservation'),
		...descendAll(body, 'HotelResModifies', 'HotelResModify'),
		...descendAll(body, 'NotifDetails', 'HotelNotifReport', 'HotelReservations', 'HotelReservation'),
	];
	const reservations = nodes.map((node) => {
		const ids = children(node, 'UniqueID');
		const resIds = descendAll(node, 'ResGlobalInfo', 'HotelReservationIDs', 'HotelReservationID');
		// UniqueID, else (an id too long for it) the HotelReservationID of type 14 or Expedia's 8.
		const channelReservationId =
			attr(ids.find((id) => attr(id, 'Type') === UNIQUE_ID_TYPE.reservation) ?? ids[0], 'ID') ??
			attr(resIds.find((id) => attr(id, 'ResID_Type') === UNIQUE_ID_TYPE.reservation || attr(id, 'ResID_Type') === '8'), 'ResID_Value');
		// Ours: type 10 (Hotel), Expedia's 3, else any id that is not the channel's own.
		const ours =
			resIds.find((id) => attr(id, 'ResID_Type') === UNIQUE_ID_TYPE.hotel) ??
			resIds.find((id) => attr(id, 'ResID_Type') === '3') ??
			resIds.find((id) => attr(id, 'ResID_Value') !== channelReservationId);
		return withDefined({ channelReservationId, confirmationNumber: attr(ours, 'ResID_Value') });
	});
	// OTA_CancelRS: the cancelled reservation and the cancellation number.
	const cancelled = children(body, 'UniqueID')[0];
	if (cancelled) {
		reservations.push(withDefined({ channelReservationId: attr(cancelled, 'ID'), confirmationNumber: attr(descend(body, 'CancelInfoRS', 'UniqueID'), 'ID') }));
	}
	return reservations;
}

function withDefined<T extends object>(value: T): T {
	return Object.fromEntries(Object.entries(value).filter(([, each]) => each !== undefined)) as T;
}
