/**
 * A small Google Calendar v3 client. It does not know how requests are authenticated: it is given
 * a `send` function. The node passes one that goes through n8n's
 * `httpRequestWithAuthentication` (OAuth2: n8n owns the tokens and refreshes them); the service
 * account passes one that signs its own token (./serviceAccount.ts). Everything else — URLs,
 * the retry policy, reading Google's errors, what a 404 or 409 means — lives here once, for both.
 */
import { PartnerError, callPartner, type ResilienceOptions } from '../resilience/policy';
import { invalid } from '../errors';
import type { CalendarEvent } from './events';

export const PARTNER = 'Google Calendar';

export interface CalendarRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	url: string;
	/** JSON-serialisable; sent as application/json. */
	body?: unknown;
	signal?: AbortSignal;
}

export interface CalendarResponse {
	status: number;
	/** The parsed JSON answer (null when empty). */
	body: unknown;
}

/**
 * Sends one authenticated request. Contract: resolves with the answer for 2xx and for refusals
 * (4xx other than 408/429), so the client can act on 404/409 and show Google's message; throws a
 * retryable PartnerError for what another attempt may fix (network, timeouts, 408, 429, 5xx).
 */
export type CalendarSend = (request: CalendarRequest) => Promise<CalendarResponse>;

/** Google asks clients to back off and retry these 403s (usage limits), unlike other 403s. */
const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);

/** http:// only to this machine (the local Google-like server); anything else must be https. */
export function validateBaseUrl(value: unknown, field: string): string {
	const text = String(value ?? '').trim().replace(/\/+$/, '');
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw invalid(field, `"${text}" is not a URL (expected e.g. https://www.googleapis.com/calendar/v3).`);
	}
	const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
		throw invalid(field, `${text} must use https:// (plain http:// is accepted only for a test server on this machine): an access token is sent there.`);
	}
	return text;
}

export class CalendarClient {
	readonly apiBaseUrl: string;

	constructor(
		private readonly send: CalendarSend,
		apiBaseUrl: string,
		private readonly opts: { resilience?: Partial<ResilienceOptions>; signal?: AbortSignal } = {},
	) {
		this.apiBaseUrl = validateBaseUrl(apiBaseUrl, 'apiBaseUrl');
	}

	getCalendar(calendarId: string): Promise<Record<string, unknown>> {
		return this.json('GET', calendarPath(calendarId), `calendar "${calendarId}"`);
	}

	/** The event, also when cancelled (Google keeps cancelled events by id); null if there is none. */
	async getEvent(calendarId: string, eventId: string): Promise<CalendarEvent | null> {
		const res = await this.request('GET', eventPath(calendarId, eventId), `event ${eventId}`, undefined, [404, 410]);
		return res.status < 300 ? (res.body as CalendarEvent) : null;
	}

	/** Inserts the event with its own id; 'exists' when that id is taken (also by a cancelled event). */
	async insertEvent(calendarId: string, event: CalendarEvent): Promise<CalendarEvent | 'exists'> {
		const res = await this.request('POST', `${calendarPath(calendarId)}/events`, `event ${event.id}`, event, [409]);
		return res.status === 409 ? 'exists' : (res.body as CalendarEvent);
	}

	/** Replaces the event (PUT: fields not sent are cleared); null if there is no such event. */
	async updateEvent(calendarId: string, eventId: string, event: CalendarEvent): Promise<CalendarEvent | null> {
		const res = await this.request('PUT', eventPath(calendarId, eventId), `event ${eventId}`, event, [404]);
		return res.status < 300 ? (res.body as CalendarEvent) : null;
	}

	/** False when there was nothing to delete (unknown, or deleted before: Google answers 410). */
	async deleteEvent(calendarId: string, eventId: string): Promise<boolean> {
		const res = await this.request('DELETE', eventPath(calendarId, eventId), `event ${eventId}`, undefined, [404, 410]);
		return res.status < 300;
	}

	private async json<T>(method: CalendarRequest['method'], path: string, what: string): Promise<T> {
		return (await this.request(method, path, what)).body as T;
	}

	/** One request under the retry policy; statuses in `accept` are answers, other refusals errors. */
	private request(method: CalendarRequest['method'], path: string, what: string, body?: unknown, accept: number[] = []): Promise<CalendarResponse> {
		const url = `${this.apiBaseUrl}${path}`;
		return callPartner(
			PARTNER,
			`google-calendar|${this.apiBaseUrl}`,
			async ({ signal }) => {
				const res = await this.send({ method, url, body, signal: this.opts.signal ? AbortSignal.any([signal, this.opts.signal]) : signal });
				if (res.status < 300 || accept.includes(res.status)) return res;
				throw googleError(method, what, res);
			},
			this.opts.resilience,
		);
	}
}

const calendarPath = (calendarId: string) => {
	const id = String(calendarId ?? '').trim();
	if (!id) throw invalid('calendarId', 'The calendar ID is empty: use "primary" or the ID from the calendar\'s settings (…@group.calendar.google.com).');
	return `/calendars/${encodeURIComponent(id)}`;
};
const eventPath = (calendarId: string, eventId: string) => `${calendarPath(calendarId)}/events/${encodeURIComponent(eventId)}`;

/** Google's own message (`{ error: { message, errors: [{ reason }] } }`) with what to do about it. */
export function googleError(method: string, what: string, res: CalendarResponse): PartnerError {
	const { message, reason } = googleErrorOf(res.body);
	const hint = HINTS[res.status] ?? '';
	return new PartnerError(`${PARTNER} refused ${method} ${what} (${res.status}${reason ? ` ${reason}` : ''}): ${message}${hint}`, {
		partner: PARTNER,
		retryable: res.status === 403 && RATE_LIMIT_REASONS.has(reason),
		status: res.status,
		code: reason || undefined,
	});
}

const HINTS: Record<number, string> = {
	401: ' — the credential was not accepted; reconnect it (OAuth2) or check the service account key.',
	403: ' — the account may not change this calendar: share it with the account ("Make changes to events").',
	404: ' — check the calendar ID and that the calendar is shared with this account.',
};

export function googleErrorOf(body: unknown): { message: string; reason: string } {
	const b = (body ?? {}) as { error?: unknown; error_description?: unknown; message?: unknown };
	if (b.error && typeof b.error === 'object') {
		const e = b.error as { message?: unknown; errors?: Array<{ reason?: unknown }> };
		return { message: String(e.message ?? 'no message'), reason: String(e.errors?.[0]?.reason ?? '') };
	}
	// OAuth token endpoints answer { error: "invalid_grant", error_description: "…" }.
	if (typeof b.error === 'string') return { message: String(b.error_description ?? b.error), reason: b.error };
	if (typeof body === 'string' && body) return { message: body.slice(0, 300), reason: '' };
	return { message: String(b.message ?? 'no message'), reason: '' };
}

/**
 * A cheap read that proves the credential works and the calendar is reachable: GET
 * calendars/{calendarId}. Throws an Error with Google's reason when it does not. Used by the
 * integration health check and the credential test.
 */
export async function probeCalendar(send: CalendarSend, apiBaseUrl: string, calendarId: string, signal?: AbortSignal): Promise<void> {
	await new CalendarClient(send, apiBaseUrl, { signal }).getCalendar(calendarId || 'primary');
}
