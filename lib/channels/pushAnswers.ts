/**
 * What the OTA Webhook Trigger answers a channel that pushed reservations: the RS matching the
 * request (with our confirmation numbers, or Errors naming why), or a refusal (401, 400, 413, 500)
 * as an OTA Errors RS for plain XML and as a SOAP fault for SOAP. Channels read the status AND the
 * body: Expedia only counts a success that carries our confirmation number, and retries on 5xx.
 */
import type { HttpRefusal } from '../errors';
import { errorsElement } from '../ota/acknowledgements';
import { otaDocument } from '../ota/xmlWriter';
import {
	buildCancelRS,
	buildHotelResModifyNotifRS,
	buildHotelResNotifRS,
	buildSoapFault,
	wrapSoap,
	type MessageOptions,
	type ReservationResult,
} from '../ota';

/** The messages a channel pushes to this endpoint, and the answer to each. */
const RESPONSE_ROOTS = {
	OTA_HotelResNotifRQ: 'OTA_HotelResNotifRS',
	OTA_HotelResModifyNotifRQ: 'OTA_HotelResModifyNotifRS',
	OTA_CancelRQ: 'OTA_CancelRS',
} as const;

export type PushedMessage = keyof typeof RESPONSE_ROOTS;

export const PUSHED_MESSAGES = Object.keys(RESPONSE_ROOTS) as PushedMessage[];

export function isPushedMessage(root: string | undefined): root is PushedMessage {
	return root !== undefined && root in RESPONSE_ROOTS;
}

/** Error/@Type from the OTA code list EWT, Error/@Code from ERR, per refusal. */
const ISSUE_BY_STATUS: Record<number, { type: string; code: string }> = {
	400: { type: '7', code: '450' }, // protocol violation: unable to process
	401: { type: '4', code: '497' }, // authentication: authorization error
	413: { type: '7', code: '450' },
	500: { type: '12', code: '450' }, // processing exception: retry later
};

export interface PushAnswer {
	status: number;
	body: string;
	headers?: Record<string, string>;
}

export interface AnswerContext {
	soap: boolean;
	/** The request's root, when it could be read; a refusal answers with its RS. */
	root?: string;
	echoToken?: string;
}

/** The refusal as the channel expects it; OTA text is limited, so long parser messages are cut. */
export function refusalAnswer(refusal: HttpRefusal, context: AnswerContext): PushAnswer {
	const message = refusal.message.slice(0, 1_000);
	if (context.soap) {
		// Client: do not resend this message as it is; Server: our side failed, resend it later.
		return { status: refusal.status, body: buildSoapFault(refusal.status >= 500 ? 'Server' : 'Client', message) };
	}
	// A message we could not read is answered as a new-reservation push: that is what this URL takes.
	const root = isPushedMessage(context.root) ? RESPONSE_ROOTS[context.root] : RESPONSE_ROOTS.OTA_HotelResNotifRQ;
	const issue = { ...ISSUE_BY_STATUS[refusal.status], message };
	const body = echoing(context.echoToken, (opts) => otaDocument(root, { Errors: errorsElement([issue], 'errors') }, opts));
	return { status: refusal.status, body };
}

/**
 * The RS for a stored push: Success with our confirmation number per reservation, or Errors (HTTP
 * 200: the message was understood) naming each reservation that could not be taken and why.
 */
export function reservationAnswer(
	root: PushedMessage,
	results: ReservationResult[],
	context: AnswerContext & { hotelCode: string; idTypes?: { channel?: string; confirmation: string } },
): PushAnswer {
	const body = echoing(context.echoToken, (opts) => {
		if (root === 'OTA_CancelRQ') {
			// OTA_CancelRQ names exactly one reservation; its cancellation number is our reservation id.
			const [result] = results;
			return buildCancelRS({ channelReservationId: result.channelReservationId, ok: result.ok, cancellationNumber: result.confirmationNumber, error: result.error }, opts);
		}
		const build = root === 'OTA_HotelResNotifRQ' ? buildHotelResNotifRS : buildHotelResModifyNotifRS;
		// An OTA Errors element holds at most 99 errors; the answer is Errors either way, and the channel re-sends.
		const failures = results.filter((result) => !result.ok);
		if (failures.length > 99) results = failures.slice(0, 99);
		// Expedia counts a success only with our confirmation number as ResID_Type 3, next to its own id (8).
		return build(results, { ...opts, hotelCode: context.hotelCode || undefined, confirmationIdType: context.idTypes?.confirmation, channelIdType: context.idTypes?.channel });
	});
	return { status: 200, body: context.soap ? wrapSoap(body) : body };
}

/** Echoes the request's EchoToken, unless the schema cannot carry it (too long, control characters). */
function echoing(echoToken: string | undefined, build: (opts: MessageOptions) => string): string {
	if (echoToken === undefined) return build({});
	try {
		return build({ echoToken });
	} catch {
		return build({});
	}
}
