/**
 * The channel's side of acknowledgements: its plain Success/Errors answers to what we send,
 * OTA_HotelAvailNotifRS, OTA_HotelRateAmountNotifRS (our ARI pushes) and OTA_NotifReportRS (our
 * acknowledgement of pulled reservations). Our side only reads them (parseAckResponse in
 * lib/ota/acknowledgements.ts); tests build them strictly, schema-valid (test/unit/otaMessages.test.ts
 * checks them against the XSD). The peer's own answers to any request are in channelSideAnswers.ts.
 */
import { errorsElement, issueElement } from '../../../../lib/ota/acknowledgements';
import type { MessageOptions, OtaIssue } from '../../../../lib/ota/types';
import { otaDocument, type XmlBody } from '../../../../lib/ota/xmlWriter';

export interface AckOutcome {
	errors?: Array<string | OtaIssue>;
	warnings?: Array<string | OtaIssue>;
}

/** Success (with any warnings) or Errors, the body of every MessageAcknowledgementType message. */
function acknowledgement(outcome: AckOutcome): XmlBody {
	const errors = outcome.errors ?? [];
	if (errors.length > 0) return { Errors: errorsElement(errors, 'errors') };
	const warnings = outcome.warnings ?? [];
	return {
		Success: '',
		Warnings: warnings.length > 0 ? { Warning: warnings.map((warning, index) => issueElement(warning, `warnings[${index}]`, 'warning')) } : undefined,
	};
}

export function buildHotelAvailNotifRS(outcome: AckOutcome = {}, opts?: MessageOptions): string {
	return otaDocument('OTA_HotelAvailNotifRS', acknowledgement(outcome), opts);
}

export function buildHotelRateAmountNotifRS(outcome: AckOutcome = {}, opts?: MessageOptions): string {
	return otaDocument('OTA_HotelRateAmountNotifRS', acknowledgement(outcome), opts);
}

export function buildNotifReportRS(outcome: AckOutcome = {}, opts?: MessageOptions): string {
	return otaDocument('OTA_NotifReportRS', acknowledgement(outcome), opts);
}
