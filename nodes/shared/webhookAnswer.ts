/**
 * The one way our webhook triggers answer a request they refuse: lib/ throws an `HttpRefusal`
 * (lib/errors.ts), and this responder logs it with the integration, answers it with
 * its status, headers and body, and starts no execution. Anything else a trigger throws is
 * unexpected: n8n shows it as the trigger's NodeOperationError and answers 500.
 */
import { NodeOperationError, type IDataObject, type IWebhookFunctions, type IWebhookResponseData } from 'n8n-workflow';
import { HttpRefusal } from '../../lib/errors';

export interface WebhookAnswer {
	status: number;
	body: string;
	contentType: string;
	headers?: Record<string, string>;
}

export interface Receiver {
	/** For the log: e.g. 'booking-engine', 'stripe', 'ota'. */
	integration: string;
	/** Extra log fields (e.g. the channel). */
	logFields?: IDataObject;
	/** The answer's form when it is not JSON `{ error, code, field }` (an OTA channel reads XML). */
	format?: (refusal: HttpRefusal) => WebhookAnswer;
}

/** Runs `receive`; an HttpRefusal it throws is answered, anything else fails the trigger. */
export async function receiveOrRefuse(ctx: IWebhookFunctions, receiver: Receiver, receive: () => Promise<IWebhookResponseData>): Promise<IWebhookResponseData> {
	try {
		return await receive();
	} catch (error) {
		if (error instanceof HttpRefusal) return refuse(ctx, receiver, error);
		throw error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error);
	}
}

/** Answers the refusal now; no execution starts. */
export function refuse(ctx: IWebhookFunctions, receiver: Receiver, refusal: HttpRefusal): IWebhookResponseData {
	// A failed authentication is worth a look (a wrong secret, or someone trying); the rest (a bad
	// body, sold out, busy) is the API answering as it should.
	const log = refusal.status === 401 || refusal.status === 403 ? ctx.logger.warn : ctx.logger.info;
	log.call(ctx.logger, 'Request refused', { integration: receiver.integration, ...receiver.logFields, status: refusal.status, code: refusal.code, reason: refusal.message });
	const answer = receiver.format?.(refusal) ?? { status: refusal.status, body: JSON.stringify(refusal.body), contentType: 'application/json; charset=utf-8' };
	send(ctx, { ...answer, headers: { ...refusal.headers, ...answer.headers } });
	return { noWebhookResponse: true };
}

/** Writes an answer the trigger gives itself (a refusal, or an OTA push's RS). */
export function send(ctx: IWebhookFunctions, answer: WebhookAnswer): void {
	const res = ctx.getResponseObject();
	res.status(answer.status);
	res.setHeader('Content-Type', answer.contentType);
	for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
	res.end(answer.body);
}

/** Answers JSON now (a duplicate delivery, a conflict); no execution starts. */
export function answerJson(ctx: IWebhookFunctions, status: number, body: IDataObject): IWebhookResponseData {
	send(ctx, { status, body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' });
	return { noWebhookResponse: true };
}
