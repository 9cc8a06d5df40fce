/**
 * Reading a pushed reservation message off the request: the raw body (n8n must not parse it: its
 * XML parser lowercases tags), the size limit, who sent it, and the OTA message itself. Anything
 * wrong is an HttpRefusal that says what, for the channel's answer; nothing is stored then.
 */
import type { IWebhookFunctions } from 'n8n-workflow';
import type { ChannelConnection } from '../../lib/channels/channelClient';
import { PUSHED_MESSAGES, isPushedMessage, type AnswerContext, type PushedMessage } from '../../lib/channels/pushAnswers';
import { checkBasicAuth, checkSignature, checkUsernameToken } from '../../lib/channels/pushAuth';
import { HttpRefusal } from '../../lib/errors';
import { OtaMessageError, parseOtaMessage, parseReservations, type ParsedOtaMessage, type ReservationBatch } from '../../lib/ota';
import { rawBodyOf } from '../shared/rawBody';

type WebhookRequest = ReturnType<IWebhookFunctions['getRequestObject']>;

export interface Push {
	root: PushedMessage;
	/** The readable reservations, and the ones that were not (each answered with an error). */
	batch: ReservationBatch;
}

/**
 * The authenticated, parsed push. `context` learns as it goes whether the message is SOAP, its
 * root and EchoToken, so that even a refusal is answered in the form the channel reads.
 */
export async function readPush(req: WebhookRequest, conn: ChannelConnection, secret: string, context: AnswerContext): Promise<Push> {
	// n8n leaves the body unread for this node (see the hidden "options" parameter).
	const raw = await rawBodyOf(req);
	context.soap = looksLikeSoap(raw);
	return checkPush(raw, req, conn, secret, context);
}

/**
 * Whether the first element is a SOAP Envelope, before the body is parsed (or when it cannot be):
 * a refusal must come in the form the channel reads. Parsing decides for good later.
 */
function looksLikeSoap(raw: Buffer): boolean {
	const firstElement = /<(?![?!])(?:[\w.-]+:)?([\w.-]+)/.exec(raw.subarray(0, 2_048).toString('utf8'));
	return firstElement?.[1] === 'Envelope';
}

/** Size, authentication and the message itself: anything wrong refuses the whole push. */
function checkPush(
	raw: Buffer,
	req: WebhookRequest,
	conn: ChannelConnection,
	secret: string,
	context: AnswerContext,
): Push {
	const maxBytes = conn.profile.limits.maxMessageBytes;
	if (raw.length > maxBytes) throw new HttpRefusal(413, `The message has ${raw.length} bytes; at most ${maxBytes} are accepted.`);
	// Checked before the untrusted XML is parsed whenever the body alone can prove who sent it.
	if (secret) checkSignature(raw, req.headers['x-ota-signature'], secret);
	else if (!context.soap) checkBasicAuth(req.headers.authorization, credentialsFor(conn));

	const message = readMessage(() => parseOtaMessage(raw, { maxBytes }));
	Object.assign(context, { soap: message.soap !== undefined, root: message.root, echoToken: message.echoToken });
	if (!secret) authenticateTransport(message, req, conn);
	if (!isPushedMessage(message.root)) throw new HttpRefusal(400, `This URL takes ${PUSHED_MESSAGES.join(', ')}; got ${message.root}.`);

	const batch = readMessage(() => parseReservations(raw, { maxBytes }));
	if (batch.reservations.length + batch.failures.length === 0) throw new HttpRefusal(400, `The ${message.root} holds no reservation.`);
	// A cancellation request names one reservation: if it cannot be read, the message is refused as a whole.
	if (message.root === 'OTA_CancelRQ' && batch.failures.length > 0) throw new HttpRefusal(400, batch.failures[0].reason);
	return { root: message.root, batch };
}

/** Without a webhook secret: the UsernameToken for SOAP, HTTP Basic for plain XML (again, now that parsing has settled which). */
function authenticateTransport(message: ParsedOtaMessage, req: WebhookRequest, conn: ChannelConnection): void {
	if (message.soap) checkUsernameToken(message.soap.usernameToken, credentialsFor(conn));
	else checkBasicAuth(req.headers.authorization, credentialsFor(conn));
}

/** A credential without a username would let anyone in with an empty one: refuse instead. */
function credentialsFor(conn: ChannelConnection): { username: string; password: string } {
	if (!conn.username) {
		throw new HttpRefusal(401, 'The hotel has set neither a webhook secret nor a username for this channel; pushes cannot be authenticated.');
	}
	return { username: conn.username, password: conn.password };
}

/** The OTA layer's rejections (malformed, DOCTYPE, wrong root, missing dates) say what is wrong: pass them on as 400/413. */
function readMessage<T>(read: () => T): T {
	let failure: unknown;
	try {
		return read();
	} catch (error) {
		failure = error;
	}
	if (failure instanceof OtaMessageError) throw new HttpRefusal(failure.kind === 'too_large' ? 413 : 400, failure.message);
	throw failure;
}
