/**
 * OTA_CancelRQ / OTA_CancelRS, as Expedia's Booking Notification API pushes cancellations.
 * There is no XSD for these in ../shared/ota-xsd (only the seven hotel message pairs are there), so
 * they follow the OpenTravel specification's usual shape, in the same namespace:
 *   OTA_CancelRQ CancelType="Commit": UniqueID Type="14" ID=… (Instance=version), then an optional
 *     Verification (PersonName, ReservationTimeSpan, TPA_Extensions/BasicPropertyInfo HotelCode),
 *     then optional Reasons/Reason;
 *   OTA_CancelRS Status="Cancelled": Success, UniqueID, CancelInfoRS/UniqueID Type="15" (our
 *     cancellation number); or Status="Unsuccessful" with Errors.
 */
import { MAX_HOTEL_CODE, MAX_RESERVATION_ID, UNIQUE_ID_TYPE } from './constants';
import { errorsElement } from './acknowledgements';
import { invalidInput } from './errors';
import type { ChannelReservation, MessageOptions, OtaIssue } from './types';
import { attributeText, code, date, optionalCode, text } from './values';
import { otaDocument, type XmlBody } from './xmlWriter';

export interface CancelRequestOptions extends MessageOptions {
	reason?: string;
}

/** A channel cancelling `reservation`; only its id is required, the rest is sent for verification. */
export function buildCancelRQ(reservation: Pick<ChannelReservation, 'channelReservationId'> & Partial<ChannelReservation>, opts: CancelRequestOptions = {}): string {
	const id = code(reservation.channelReservationId, 'channelReservationId', MAX_RESERVATION_ID);
	const name = reservation.guest?.name?.trim();
	const split = name ? name.lastIndexOf(' ') : -1;
	const personName: XmlBody | undefined = name
		? { GivenName: split > 0 ? text(name.slice(0, split), 'guest.name', 64) : undefined, Surname: text(name.slice(split + 1), 'guest.name', 64) }
		: undefined;
	const hotelCode = optionalCode(reservation.hotelCode, 'hotelCode', MAX_HOTEL_CODE);
	const start = reservation.arrival === undefined ? undefined : date(reservation.arrival, 'arrival');
	const end = reservation.departure === undefined ? undefined : date(reservation.departure, 'departure');
	const verification: XmlBody = {
		PersonName: personName,
		Email: reservation.guest?.email === undefined ? undefined : text(reservation.guest.email, 'guest.email', 128),
		TelephoneInfo: reservation.guest?.phone === undefined ? undefined : { '@_PhoneNumber': attributeText(reservation.guest.phone, 'guest.phone', 32) },
		ReservationTimeSpan: start === undefined && end === undefined ? undefined : { '@_Start': start, '@_End': end },
		TPA_Extensions: hotelCode === undefined ? undefined : { BasicPropertyInfo: { '@_HotelCode': hotelCode } },
	};
	const hasVerification = Object.values(verification).some((value) => value !== undefined);
	return otaDocument(
		'OTA_CancelRQ',
		{
			'@_CancelType': 'Commit',
			UniqueID: {
				'@_Type': UNIQUE_ID_TYPE.reservation,
				'@_ID': id,
				'@_Instance': optionalCode(reservation.version, 'version', MAX_RESERVATION_ID),
			},
			Verification: hasVerification ? verification : undefined,
			Reasons: opts.reason === undefined ? undefined : { Reason: text(opts.reason, 'reason') },
		},
		opts,
	);
}

export interface CancelResult {
	channelReservationId: string;
	ok: boolean;
	/** Our cancellation number, sent as CancelInfoRS/UniqueID Type="15". */
	cancellationNumber?: string;
	error?: string | OtaIssue;
}

export function buildCancelRS(result: CancelResult, opts: MessageOptions = {}): string {
	const id = code(result.channelReservationId, 'channelReservationId', MAX_RESERVATION_ID);
	if (!result.ok) {
		const issue = typeof result.error === 'string' || result.error === undefined ? { message: result.error ?? 'The cancellation could not be processed.' } : result.error;
		return otaDocument('OTA_CancelRS', { '@_Status': 'Unsuccessful', Errors: errorsElement([{ ...issue, recordId: id }], 'error') }, opts);
	}
	if (result.error !== undefined) throw invalidInput('error', 'must not be set on a successful cancellation');
	const cancellation = optionalCode(result.cancellationNumber, 'cancellationNumber', MAX_RESERVATION_ID);
	return otaDocument(
		'OTA_CancelRS',
		{
			'@_Status': 'Cancelled',
			Success: '',
			UniqueID: { '@_Type': UNIQUE_ID_TYPE.reservation, '@_ID': id },
			CancelInfoRS: cancellation === undefined ? undefined : { UniqueID: { '@_Type': UNIQUE_ID_TYPE.cancellation, '@_ID': cancellation } },
		},
		opts,
	);
}
