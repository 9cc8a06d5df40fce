/**
 * A stand-in for n8n's `helpers.httpRequestWithAuthentication` with an OAuth2 credential, as the
 * Google Calendar OAuth2 path uses it: signs with the access token given, and — like n8n — throws a
 * NodeApiError for any non-2xx answer (httpCode = status, or the socket error code).
 */
import { NodeApiError, type IExecuteFunctions, type IHttpRequestOptions, type JsonObject } from 'n8n-workflow';

export function fakeOAuth2Request(expectedType: string, accessToken: () => string) {
	return async function (this: IExecuteFunctions, type: string, options: IHttpRequestOptions) {
		if (type !== expectedType) throw new Error(`expected credential type ${expectedType}, got ${type}`);
		let res: Response;
		try {
			res = await fetch(options.url, {
				method: options.method,
				headers: { authorization: `Bearer ${accessToken()}`, 'content-type': 'application/json' },
				body: options.body === undefined ? undefined : JSON.stringify(options.body),
			});
		} catch (error) {
			throw new NodeApiError(this.getNode(), { message: (error as Error).message, code: 'ECONNREFUSED' } as JsonObject);
		}
		const text = await res.text();
		const body = text ? JSON.parse(text) : '';
		if (res.status >= 300) {
			throw new NodeApiError(this.getNode(), { message: `Request failed with status code ${res.status}`, response: { status: res.status, data: body } } as unknown as JsonObject, {
				httpCode: String(res.status),
			});
		}
		return { statusCode: res.status, body, headers: {} };
	};
}
