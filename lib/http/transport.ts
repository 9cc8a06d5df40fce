/**
 * The one HTTP transport for partners we speak to directly (OTA channels, and later Google and
 * others; Stripe goes through its own SDK). Node's fetch, a per-attempt abort signal from the
 * resilience policy, a response size cap, and errors sorted into "try again" (network, timeouts,
 * 5xx, 429) and "the partner said no" (other 4xx) — the distinction the retry policy acts on.
 */
import { PartnerError } from '../resilience/policy';

export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	headers?: Record<string, string>;
	body?: string;
	signal?: AbortSignal;
	/** Refuse larger answers (default 5 MB): a partner cannot make us buffer without bound. */
	maxResponseBytes?: number;
	/**
	 * Hand refusals (4xx other than 408/429) back as a response instead of throwing, for callers
	 * that act on them (Google Calendar: 409 "already exists" means update; its JSON error body
	 * carries the message to show). Retryable failures still throw. Default false.
	 */
	returnClientErrors?: boolean;
}

export interface HttpResponse {
	status: number;
	body: string;
	headers: Record<string, string>;
}

export async function httpRequest(partner: string, req: HttpRequest): Promise<HttpResponse> {
	let res: Response;
	try {
		res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: req.signal, redirect: 'error' });
	} catch (error) {
		throw new PartnerError(`${partner} could not be reached (${(error as Error).message}).`, { partner, retryable: true, cause: error });
	}
	const body = await readCapped(res, req.maxResponseBytes ?? 5_000_000, partner);
	const headers = Object.fromEntries(res.headers.entries());
	if (res.status >= 500 || res.status === 429 || res.status === 408) {
		throw new PartnerError(`${partner} answered ${res.status}.`, { partner, retryable: true, status: res.status });
	}
	if (res.status >= 400 && !req.returnClientErrors) {
		throw new PartnerError(`${partner} refused the request (${res.status}): ${body.slice(0, 300)}`, { partner, retryable: false, status: res.status });
	}
	return { status: res.status, body, headers };
}

async function readCapped(res: Response, max: number, partner: string): Promise<string> {
	const declared = Number(res.headers.get('content-length') ?? 0);
	if (declared > max) {
		await res.body?.cancel();
		throw new PartnerError(`${partner} sent ${declared} bytes, more than the ${max} accepted.`, { partner, retryable: false, status: res.status });
	}
	const reader = res.body?.getReader();
	if (!reader) return '';
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > max) {
			await reader.cancel();
			throw new PartnerError(`${partner} sent more than the ${max} bytes accepted.`, { partner, retryable: false, status: res.status });
		}
		chunks.push(value);
	}
	return Buffer.concat(chunks).toString('utf8');
}
