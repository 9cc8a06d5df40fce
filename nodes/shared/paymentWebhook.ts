/**
 * What every payment gateway's webhook trigger does with a delivery, whichever gateway sent it:
 *
 * 1. The signature is checked over the raw body; a bad one is answered 400/401 and starts nothing.
 * 2. The event id is claimed in the chosen store (one namespace per gateway). A duplicate of a
 *    processed event gets 200; a delivery that races one still in progress gets 409 (the gateway
 *    retries it later).
 * 3. The winner is emitted on its outcome's output. n8n answers when the workflow ends ("When Last
 *    Node Finishes"): 200 marks the event done, a failed workflow's 500 releases it so the gateway's
 *    redelivery is processed again. A process that dies leaves a lease that runs out.
 */
import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type INodeCredentialDescription,
	type IDataObject,
	type INodeProperties,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { OUTCOMES, type ClassifiedEvent } from '../../lib/payments/paymentEvents';
import { PostgresEventClaims, RedisEventClaims, type EventClaimStore } from '../../lib/webhooks/eventClaims';
import { credentialsOf, databaseParameter, hotelRedis, hotelStore } from './hotelStore';
import { rawBodyOf } from './rawBody';
import { answerJson, receiveOrRefuse } from './webhookAnswer';

type WebhookRequest = ReturnType<IWebhookFunctions['getRequestObject']>;

export interface GatewayWebhook {
	/** For logs and messages. */
	partner: 'Stripe' | 'Square';
	/** The event claims' namespace. */
	source: 'stripe' | 'square';
	credentialType: string;
	/** The verified event and its id; throws an HttpRefusal for a delivery to refuse. */
	verify(raw: Buffer, req: WebhookRequest, credentials: ICredentialDataDecryptedObject, options: IDataObject): { id: string; type: string; event: object };
	classify(event: object): ClassifiedEvent;
}

/** The outputs every payment trigger has, one per outcome. */
export const paymentOutputs: Pick<INodeTypeDescription, 'inputs' | 'outputs' | 'outputNames'> = {
	inputs: [],
	outputs: OUTCOMES.map(() => NodeConnectionTypes.Main),
	outputNames: ['Payment Succeeded', 'Payment Failed', 'Refunded', 'Other Event'],
};

export const eventStoreParameter: INodeProperties = {
	displayName: 'Remember Events In',
	name: 'eventStore',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Hotel Database', value: 'database', description: 'Durable; the same database as payments' },
		{ name: 'Redis', value: 'redis', description: 'Fast; durable only if your Redis persists its data' },
	],
	default: 'database',
	description: 'Where the IDs of processed events are kept so that a redelivered event starts no second execution',
};

export const leaseOption: INodeProperties = {
	displayName: 'Processing Lease (Seconds)',
	name: 'leaseSeconds',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 300,
	description: 'How long an event being processed blocks other deliveries of it. If n8n stops mid-way, a redelivery after this time processes the event again.',
};

/** The store credentials every payment trigger takes (the gateway's own comes first). */
export const storeCredentials: INodeCredentialDescription[] = [
	{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
	{ name: 'hotelRedisApi', required: true, displayOptions: { show: { eventStore: ['redis'] } }, testedBy: 'hotelRedisConnection' },
];

export const storeParameters: INodeProperties[] = [eventStoreParameter, databaseParameter];

export async function receivePaymentEvent(ctx: IWebhookFunctions, gateway: GatewayWebhook): Promise<IWebhookResponseData> {
	return receiveOrRefuse(ctx, { integration: gateway.source }, async () => {
		const req = ctx.getRequestObject();
		const res = ctx.getResponseObject();
		const options = ctx.getNodeParameter('options', {}) as IDataObject;
		const { id, type, event } = gateway.verify(await rawBodyOf(req), req, await credentialsOf(ctx, gateway.credentialType), options);

		const claims = await eventClaimsFor(ctx);
		const leaseMs = Number(options.leaseSeconds ?? 300) * 1000;
		const claim = await claims.claim(gateway.source, id, { leaseMs, eventType: type });
		if (claim.outcome === 'duplicate') return answerJson(ctx, 200, { received: true, duplicate: true });
		if (claim.outcome === 'in_progress') return answerJson(ctx, 409, { error: `Event ${id} is being processed by another delivery; retry later.`, code: 'in_progress', field: null });

		// The response is written once the workflow ends; its status is the workflow's outcome.
		res.once('finish', () => {
			const settle = res.statusCode < 300 ? claims.complete(gateway.source, id, claim.token) : claims.release(gateway.source, id, claim.token);
			settle.catch((error) => ctx.logger.error('Could not record webhook outcome', { eventId: id, error: (error as Error).message }));
		});

		const classified = gateway.classify(event);
		ctx.logger.info(`${gateway.partner} event accepted`, { integration: gateway.source, eventId: id, type, attempt: claim.attempt });
		const item = { json: { ...classified, gateway: gateway.source, event } as unknown as IDataObject };
		return { workflowData: OUTCOMES.map((outcome) => (outcome === classified.outcome ? [item] : [])) };
	});
}

async function eventClaimsFor(ctx: IWebhookFunctions): Promise<EventClaimStore> {
	if (ctx.getNodeParameter('eventStore', 'database') === 'redis') {
		const { redis, keyPrefix } = await hotelRedis(ctx);
		return new RedisEventClaims(redis, { keyPrefix });
	}
	return new PostgresEventClaims(await hotelStore(ctx));
}
