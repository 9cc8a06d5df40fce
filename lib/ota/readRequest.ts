/**
 * The pull request, OTA_ReadRQ: what we ask a channel that delivers reservations on request
 * (SiteMinder pmsXchange) for. Its answer, OTA_ResRetrieveRS, is read by reservationParser.ts.
 * The messages a channel sends (OTA_HotelResNotifRQ, OTA_HotelResModifyNotifRQ, OTA_ResRetrieveRS)
 * are built only by the local OTA peer: test/peers/ota/messages/channelSideReservations.ts.
 */
import { MAX_HOTEL_CODE } from './constants';
import { invalidInput } from './errors';
import type { MessageOptions } from './types';
import { code, date } from './values';
import { otaDocument } from './xmlWriter';

export type ReadSelection = 'Undelivered' | 'PreviouslyDelivered' | 'All';

export interface ReadCriteria {
	selection: ReadSelection;
	/** Optional window, e.g. for SelectionType All. */
	start?: string;
	end?: string;
	dateType?: 'ArrivalDate' | 'DepartureDate' | 'CreateDate' | 'LastUpdateDate';
}

/** The pull request: ReadRequests/HotelReadRequest/SelectionCriteria SelectionType="Undelivered". */
export function buildReadRQ(hotelCode: string, criteria: ReadCriteria = { selection: 'Undelivered' }, opts: MessageOptions = {}): string {
	const selection = criteria.selection;
	if (!['Undelivered', 'PreviouslyDelivered', 'All'].includes(selection)) {
		throw invalidInput('selection', 'must be Undelivered, PreviouslyDelivered or All');
	}
	return otaDocument(
		'OTA_ReadRQ',
		{
			ReadRequests: {
				HotelReadRequest: {
					'@_HotelCode': code(hotelCode, 'hotelCode', MAX_HOTEL_CODE),
					SelectionCriteria: {
						'@_Start': criteria.start === undefined ? undefined : date(criteria.start, 'start'),
						'@_End': criteria.end === undefined ? undefined : date(criteria.end, 'end'),
						'@_DateType': criteria.dateType,
						'@_SelectionType': selection,
					},
				},
			},
		},
		opts,
	);
}
