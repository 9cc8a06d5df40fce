/**
 * The peer's own answers, the OTA messages only a channel writes on top of lib/ota's writer: a
 * Success/Errors answer for any request the peer takes (with the peer's refusal codes), and the
 * empty pull answer. The channel's answers with builders of their own are beside this file
 * (channelSideAcknowledgements.ts, channelSideAvailability.ts, channelSideReservations.ts).
 */
import { errorsElement, issueElement } from '../../../../lib/ota/acknowledgements';
import type { OtaIssue } from '../../../../lib/ota/types';
import { otaDocument } from '../../../../lib/ota/xmlWriter';

/** What the channel answers to each message it takes. Booking.com acknowledgements get the same root back. */
const RESPONSE_ROOTS: Record<string, string> = {
	OTA_HotelAvailNotifRQ: 'OTA_HotelAvailNotifRS',
	OTA_HotelRateAmountNotifRQ: 'OTA_HotelRateAmountNotifRS',
	OTA_HotelAvailRQ: 'OTA_HotelAvailRS',
	OTA_ReadRQ: 'OTA_ResRetrieveRS',
	OTA_NotifReportRQ: 'OTA_NotifReportRS',
	OTA_HotelResNotifRS: 'OTA_HotelResNotifRS',
	OTA_HotelResModifyNotifRS: 'OTA_HotelResModifyNotifRS',
};

export const ACCEPTED_ROOTS = Object.keys(RESPONSE_ROOTS);

export function responseRootFor(requestRoot: string): string {
	const root = RESPONSE_ROOTS[requestRoot];
	if (!root) throw new Error(`no response defined for ${requestRoot}`);
	return root;
}

/** OTA code lists EWT (type) and ERR (code) for the peer's refusals. */
export const ISSUE = {
	invalidMessage: { type: '7', code: '450' },
	unknownHotel: { type: '3', code: '392' },
	tooManyUpdates: { type: '3', code: '450' },
	monthSpan: { type: '3', code: '450' },
	unknownReservation: { type: '3', code: '245' },
	noRecordId: { type: '3', code: '450' },
} as const;

export function issue(kind: keyof typeof ISSUE, message: string, recordId?: string): OtaIssue {
	return { ...ISSUE[kind], message: message.slice(0, 1_000), ...(recordId ? { recordId } : {}) };
}

export interface Outcome {
	errors?: OtaIssue[];
	warnings?: OtaIssue[];
}

/** Success (with warnings) or Errors under `root`, echoing the request's token when it can be echoed. */
export function acknowledgementRS(root: string, outcome: Outcome, echoToken?: string): string {
	const body = ackBody(outcome);
	try {
		return otaDocument(root, body, { echoToken });
	} catch {
		// A token the schema cannot carry (too long, control characters) is not echoed.
		return otaDocument(root, body);
	}
}

function ackBody({ errors = [], warnings = [] }: Outcome) {
	if (errors.length > 0) return { Errors: errorsElement(errors.slice(0, 99), 'errors') };
	return {
		Success: '',
		Warnings: warnings.length > 0 ? { Warning: warnings.slice(0, 99).map((each, index) => issueElement(each, `warnings[${index}]`, 'warning')) } : undefined,
	};
}

/** A pull with nothing to deliver: the bare root validates (HotelReservations is optional). */
export function emptyPull(root: 'OTA_HotelResNotifRQ' | 'OTA_HotelResModifyNotifRQ'): string {
	return otaDocument(root, {});
}
