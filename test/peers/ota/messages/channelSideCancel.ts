/**
 * The channel's side of a cancellation: OTA_CancelRQ, as Expedia's Booking Notification API pushes
 * it (the shape is described in lib/ota/cancelMessages.ts, which holds our answer, OTA_CancelRS;
 * lib/ota/reservationParser.ts reads the request). Built by the local OTA peer and the tests.
 */
import { MAX_HOTEL_CODE, MAX_RESERVATION_ID, UNIQUE_ID_TYPE } from '../../../../lib/ota/constants';
import type { ChannelReservation, MessageOptions } from '../../../../lib/ota/types';
import { attributeText, code, date, optionalCode, text } from '../../../../lib/ota/values';
import { otaDocument, type XmlBody } from '../../../../lib/ota/xmlWriter';

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
