/**
 * The request's raw bytes, whatever n8n did before the node ran. n8n reads and parses the body only
 * for content types it knows (JSON, XML, form, text) — and for a version-1 webhook node always,
 * unless its options.binaryData says not to — so a trigger that checks a signature over the raw
 * body or counts its size reads it itself when n8n has not.
 */
import type { IWebhookFunctions } from 'n8n-workflow';
import { HttpRefusal } from '../../lib/errors';

type WebhookRequest = ReturnType<IWebhookFunctions['getRequestObject']>;

export async function rawBodyOf(req: WebhookRequest): Promise<Buffer> {
	if (!req.rawBody) {
		const failure = await req.readRawBody().then(
			() => undefined,
			(error: unknown) => error as Error & { status?: number },
		);
		// The body was over n8n's own payload limit: raw-body refused it.
		if (failure?.status === 413) throw new HttpRefusal(413, 'The request body is larger than this n8n accepts (N8N_PAYLOAD_SIZE_MAX).');
		if (failure) throw failure;
	}
	return req.rawBody ?? Buffer.alloc(0);
}
