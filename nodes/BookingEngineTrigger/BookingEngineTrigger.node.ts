import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import {
	ApiRequestError,
	MAX_BODY_BYTES,
	ROUTES,
	checkAvailabilityQuery,
	checkChangeBody,
	checkCreateBody,
	checkReservationId,
	routeOf,
} from '../../lib/booking/apiRequests';
import { AuthError, authenticateBearer, type JwtAuthConfig } from '../../lib/booking/jwtAuth';
import { credentialsOf } from '../shared/hotelStore';
import { noRegistration } from '../shared/noRegistration';

/**
 * The hotel's booking-engine REST API, served under n8n's webhook URL:
 *   GET /availability · POST /reservations · GET, PUT, DELETE /reservations/:id
 * Each request is authenticated (JWT bearer) and shape-checked here; a refused request is answered
 * at once (401/403/400/413/422) and starts nothing. An accepted one leaves on its route's output,
 * so the flow is on the canvas; "Respond to Webhook" nodes answer it.
 */
export class BookingEngineTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Booking Engine Trigger',
		name: 'bookingEngineTrigger',
		icon: { light: 'file:bookingEngineTrigger.svg', dark: 'file:bookingEngineTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'REST API for the booking engine',
		description: 'Serves the booking-engine API (availability and reservations) behind JWT',
		defaults: { name: 'Booking Engine API' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Availability', 'Create Reservation', 'Get Reservation', 'Change Reservation', 'Cancel Reservation'],
		credentials: [{ name: 'hotelBookingEngineApi', required: true, testedBy: 'bookingEngineAuthConfig' }],
		webhooks: [
			{ name: 'default', httpMethod: 'GET', path: 'availability', responseMode: 'responseNode' },
			{ name: 'default', httpMethod: 'POST', path: 'reservations', responseMode: 'responseNode' },
			// n8n matches a path with a parameter by the node's webhook id plus the path below it, which
			// needs isFullPath; the URL is the same shape: /webhook/<webhook id>/reservations/<id>.
			{ name: 'default', httpMethod: 'GET', path: 'reservations/:id', isFullPath: true, responseMode: 'responseNode' },
			{ name: 'default', httpMethod: 'PUT', path: 'reservations/:id', isFullPath: true, responseMode: 'responseNode' },
			{ name: 'default', httpMethod: 'DELETE', path: 'reservations/:id', isFullPath: true, responseMode: 'responseNode' },
		],
		properties: [
			{
				displayName:
					'Answer every output with a "Respond to Webhook" node (see the shipped booking-engine workflow). Requests need "Authorization: Bearer <JWT>" as set in the credential.',
				name: 'notice',
				type: 'notice',
				default: '',
			},
		],
	};

	methods = {
		credentialTest: {
			/** The Test button: is the algorithm's key usable? (A token with a bad signature must fail as such, not as "misconfigured".) */
			async bookingEngineAuthConfig(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				try {
					await authenticateBearer('Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl', authConfigFrom(credential.data ?? {}));
				} catch (error) {
					if (error instanceof AuthError && error.reason === 'misconfigured') return { status: 'Error', message: error.message };
				}
				return { status: 'OK', message: 'The key is usable for the chosen algorithm' };
			},
		},
	};

	webhookMethods = noRegistration;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const refuse = (status: number, body: IDataObject): IWebhookResponseData => {
			res.status(status).json(body);
			return { noWebhookResponse: true };
		};
		try {
			const caller = await authenticateBearer(req.headers.authorization, authConfigFrom(await credentialsOf(this, 'hotelBookingEngineApi')));
			if ((req.rawBody?.length ?? 0) > MAX_BODY_BYTES) return refuse(413, { error: `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.` });
			const id = (req.params as Record<string, string | undefined>)?.id;
			const route = routeOf(req.method, id);
			const request: IDataObject = { route, caller: { subject: caller.subject ?? null, scopes: caller.scopes } };
			if (route === 'availability') request.query = checkAvailabilityQuery(req.query as Record<string, unknown>);
			if (route === 'createReservation') request.body = checkCreateBody(req.body);
			if (route === 'changeReservation') request.body = checkChangeBody(req.body);
			if (id !== undefined) request.id = checkReservationId(id);
			this.logger.info('Booking engine request accepted', { integration: 'booking-engine', route, reservationId: id, subject: caller.subject });
			const index = ROUTES.findIndex((r) => r.route === route);
			return { workflowData: ROUTES.map((_, i) => (i === index ? [{ json: request }] : [])) };
		} catch (error) {
			if (error instanceof AuthError) {
				res.setHeader('WWW-Authenticate', `Bearer error="${error.status === 403 ? 'insufficient_scope' : 'invalid_token'}"`);
				return refuse(error.status, { error: error.message, reason: error.reason });
			}
			if (error instanceof ApiRequestError) return refuse(error.status, { error: error.message, field: error.field ?? null });
			throw new NodeOperationError(this.getNode(), error as Error);
		}
	}
}

function authConfigFrom(c: ICredentialDataDecryptedObject): JwtAuthConfig {
	return {
		algorithms: [String(c.algorithm || 'HS256')],
		secret: c.secret ? String(c.secret) : undefined,
		publicKeyPem: c.publicKeyPem ? String(c.publicKeyPem) : undefined,
		issuer: c.issuer ? String(c.issuer) : undefined,
		audience: c.audience ? String(c.audience) : undefined,
		requiredScope: String(c.requiredScope || 'reservations'),
	};
}
