/**
 * OTA_CancelRQ / OTA_CancelRS, as Expedia's Booking Notification API pushes cancellations.
 * There is no XSD for these in ../shared/ota-xsd (only the seven hotel message pairs are there), so
 * they follow the OpenTravel specification's usual shape, in the same namespace:
 *   OTA_CancelRQ CancelType="Commit": UniqueID Type="14" ID=… (Instance=version), then an optional
 *     Verification (PersonName, ReservationTimeSpan, TPA_Extensions/BasicPropertyInfo HotelCode),
 *     then optional Reasons/Reason;
 *   OTA_CancelRS Status="Cancelled": Success, UniqueID, CancelInfoRS/UniqueID Type="15" (our
 *     cancellation number); or Status="Unsuccessful" with Errors.
 * Ours is the answer, OTA_CancelRS; the request is read by reservationParser.ts and built only by
 * the local OTA peer (test/peers/ota/messages/channelSideCancel.ts).
 */
import { MAX_RESERVATION_ID, UNIQUE_ID_TYPE } from './constants';
import { errorsElement } from './acknowledgements';
import { invalidInput } from './errors';
import type { MessageOptions, OtaIssue } from './types';
import { code, optionalCode } from './values';
import { otaDocument } from './xmlWriter';

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
