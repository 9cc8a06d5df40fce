/**
 * How the Hotel Calendar node reaches Google: which credential, and the `send` function of
 * lib/calendar for it. OAuth2 goes through n8n's httpRequestWithAuthentication (n8n adds the
 * token and refreshes it on a 401); the service account signs its own tokens in lib/calendar.
 * Both then share the same client, retry policy and error handling.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { CalendarClient, probeCalendar, type CalendarResponse, type CalendarSend } from '../../lib/calendar/client';
import { calendarConfigFrom, serviceAccountSender } from '../../lib/calendar/serviceAccount';
import { PartnerError } from '../../lib/resilience/policy';

export const GOOGLE_USER_TYPE = 'hotelGoogleCalendarOAuth2Api';
export const SERVICE_ACCOUNT_TYPE = 'hotelGoogleServiceAccountApi';

export async function calendarClientFor(fn: IExecuteFunctions): Promise<CalendarClient> {
	if (fn.getNodeParameter('authentication', 0, 'oAuth2') === 'serviceAccount') {
		const credentials = await fn.getCredentials(SERVICE_ACCOUNT_TYPE);
		return new CalendarClient(serviceAccountSender(credentials), calendarConfigFrom(credentials).apiBaseUrl);
	}
	const credentials = await fn.getCredentials(GOOGLE_USER_TYPE);
	return new CalendarClient(oauth2Sender(fn), calendarConfigFrom(credentials).apiBaseUrl);
}

/**
 * `send` over n8n's OAuth2: answers and refusals come back as responses, failures as errors.
 * Exported for other nodes that reach Google Calendar with this credential (the health check).
 */
export function oauth2Sender(fn: IExecuteFunctions, credentialType = GOOGLE_USER_TYPE): CalendarSend {
	return async ({ method, url, body, signal }) => {
		const options: IHttpRequestOptions = { method, url, json: true, returnFullResponse: true, abortSignal: signal };
		if (body !== undefined) options.body = body as IDataObject;
		try {
			const res = (await fn.helpers.httpRequestWithAuthentication.call(fn, credentialType, options)) as { statusCode: number; body: unknown };
			return { status: res.statusCode, body: res.body ?? null };
		} catch (error) {
			return refusalFrom(error);
		}
	};
}

/**
 * n8n throws a NodeApiError for every non-2xx answer (after refreshing the token on a 401). A
 * refusal (4xx) goes back to the client as the answer Google gave, so 404/409 and Google's
 * message are handled as for the service account; anything else is thrown for the retry policy.
 */
function refusalFrom(error: unknown): CalendarResponse {
	const e = error as { httpCode?: unknown; context?: { data?: unknown }; description?: unknown; message?: string };
	const status = Number(e.httpCode);
	if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
		return { status, body: e.context?.data ?? { error: { message: String(e.description ?? e.message) } } };
	}
	// Without an HTTP status, n8n's httpCode is the socket error code (ECONNREFUSED, ETIMEDOUT, …).
	const network = typeof e.httpCode === 'string' && /^E[A-Z_]+$/.test(e.httpCode);
	throw new PartnerError(status >= 400 ? `Google Calendar answered ${status}.` : `Google Calendar request failed: ${e.message ?? String(error)}`, {
		partner: 'Google Calendar',
		retryable: status >= 400 || network,
		status: status >= 400 ? status : undefined,
		cause: error,
	});
}

/** The Test button of the Hotel Google Service Account credential: a fresh token, then a read of the calendar. */
async function hotelGoogleServiceAccountTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>,
): Promise<INodeCredentialTestResult> {
	const data = credential.data ?? {};
	try {
		const { apiBaseUrl, calendarId } = calendarConfigFrom(data);
		await probeCalendar(serviceAccountSender(data, { fresh: true }), apiBaseUrl, calendarId);
		return { status: 'OK', message: `Connected: the service account obtained a token and can read calendar "${calendarId}".` };
	} catch (error) {
		// The Test dialog shows this message; it names the field or Google's reason, never the key.
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
}

export const calendarCredentialTests = { hotelGoogleServiceAccountTest };
