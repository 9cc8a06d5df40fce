/**
 * The OpenTravel (OTA 2015B, namespace http://www.opentravel.org/OTA/2003/05) message layer for the
 * channels in GUIDE §6: builders that always produce schema-valid XML, and hardened, lenient parsers.
 * Free of n8n: nodes translate OtaMessageError into their own errors.
 */
export * from './types';
export { OtaMessageError, type OtaErrorKind } from './errors';
export { OTA_NAMESPACE } from './constants';
export { currencyDecimals, type AmountFormat } from './amounts';
export { DEFAULT_MAX_BYTES } from './xmlReader';
export { parseOtaMessage } from './otaDocument';
export { maskCardNumbers } from './cardRedaction';
export { wrapSoap, unwrapSoap, buildSoapFault, type UnwrappedSoap } from './soap';
export { buildHotelAvailNotifRQ, buildHotelRateAmountNotifRQ, buildHotelAvailRQ, type AvailQuery, type RateAmountOptions } from './inventoryMessages';
export {
	buildHotelAvailRS,
	parseHotelAvailRS,
	type AvailOffer,
	type AvailResponseOptions,
	type ParsedAvailOffer,
	type StayRestrictions,
} from './availabilityMessages';
export { parseHotelAvailNotif, parseHotelRateAmountNotif, type ParsedAvailNotif, type ParsedRateAmountNotif } from './inventoryParsers';
export {
	buildHotelResNotifRQ,
	buildHotelResModifyNotifRQ,
	buildResRetrieveRS,
	buildReadRQ,
	type ReadCriteria,
	type ReadSelection,
} from './reservationMessages';
export { parseReservations, parseReadRQ, RESERVATION_MESSAGES, type ParsedReadRQ } from './reservationParser';
export {
	buildHotelAvailNotifRS,
	buildHotelRateAmountNotifRS,
	buildNotifReportRS,
	buildHotelResNotifRS,
	buildHotelResModifyNotifRS,
	buildNotifReportRQ,
	parseAckResponse,
	type AckOutcome,
	type ReservationAckOptions,
} from './acknowledgements';
export { buildCancelRQ, buildCancelRS, type CancelRequestOptions, type CancelResult } from './cancelMessages';
