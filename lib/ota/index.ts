/**
 * The OpenTravel (OTA 2015B, namespace http://www.opentravel.org/OTA/2003/05) message layer, the
 * hotel's side of the OTA channels: builders of what we send (ARI pushes, the availability query,
 * the pull request, our acknowledgements, the answer to a cancellation, SOAP envelopes and faults)
 * that always produce schema-valid XML, and hardened, lenient parsers of what channels send us.
 * The channel's side (what only a channel builds or reads) is not shipped: it lives with the
 * local OTA peer in test/peers/ota/messages/. Free of n8n: nodes translate OtaMessageError into
 * their own errors.
 */
export * from './types';
export { OtaMessageError, type OtaErrorKind } from './errors';
export { currencyDecimals, type AmountFormat } from './amounts';
export { DEFAULT_MAX_BYTES } from './xmlReader';
export { parseOtaMessage } from './otaDocument';
export { wrapSoap, buildSoapFault } from './soap';
export { buildHotelAvailNotifRQ, buildHotelRateAmountNotifRQ, buildHotelAvailRQ, type AvailQuery, type RateAmountOptions } from './inventoryMessages';
export { parseHotelAvailRS, type ParsedAvailOffer, type StayRestrictions } from './availabilityMessages';
export { buildReadRQ, type ReadCriteria, type ReadSelection } from './readRequest';
export { parseReservations } from './reservationParser';
export {
	buildHotelResNotifRS,
	buildHotelResModifyNotifRS,
	buildNotifReportRQ,
	parseAckResponse,
	type ReservationAckOptions,
} from './acknowledgements';
export { buildCancelRS, type CancelResult } from './cancelMessages';
