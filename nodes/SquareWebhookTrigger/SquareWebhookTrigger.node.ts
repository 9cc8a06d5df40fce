import type { INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { classifySquareEvent } from '../../lib/payments/squareEvents';
import { SQUARE_SIGNATURE_HEADER, verifySquareEvent, type SquareEvent } from '../../lib/payments/squareSignature';
import { storeCredentialTests } from '../shared/hotelStore';
import { noRegistration } from '../shared/noRegistration';
import { leaseOption, paymentOutputs, receivePaymentEvent, storeCredentials, storeParameters, type GatewayWebhook } from '../shared/paymentWebhook';

const square: GatewayWebhook = {
	partner: 'Square',
	source: 'square',
	credentialType: 'hotelSquareApi',
	verify(raw, req, credentials) {
		const event = verifySquareEvent(raw, req.headers[SQUARE_SIGNATURE_HEADER], String(credentials.webhookSecret ?? ''), String(credentials.webhookNotificationUrl ?? ''));
		return { id: event.event_id, type: event.type, event };
	},
	classify: (event) => classifySquareEvent(event as SquareEvent),
};

/**
 * Receives Square webhooks (payment.created, payment.updated, refund.created, refund.updated) and
 * starts one execution per event, however often Square delivers it, on the same outputs as the
 * Payment Webhook Trigger for Stripe (signature, event claim, outputs: nodes/shared/paymentWebhook.ts).
 * Square signs the notification URL with the body and no time, so a replayed delivery is stopped by
 * its event id, which is claimed for good.
 */
export class SquareWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Square Webhook Trigger',
		name: 'squareWebhookTrigger',
		icon: { light: 'file:squareWebhookTrigger.svg', dark: 'file:squareWebhookTrigger.dark.svg' },
		group: ['trigger'],
		// Version 2 from the start, like the Payment Webhook Trigger's: n8n evaluates no expression per request for it.
		version: 2,
		subtitle: 'Square payment events',
		description: 'Starts a workflow once per Square payment or refund event, signature-checked',
		defaults: { name: 'Square Webhook Trigger' },
		...paymentOutputs,
		credentials: [{ name: 'hotelSquareApi', required: true }, ...storeCredentials],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: 'square',
				// Answer when the workflow has finished, so the answer tells Square whether it worked.
				responseMode: 'lastNode',
				responseData: 'noData',
			},
		],
		properties: [
			{
				displayName:
					"In Square's Developer Console, add a webhook subscription (payment.created, payment.updated, refund.created, refund.updated) with this node's Production URL, and put the same URL and the subscription's signature key in the Hotel Square API credential.",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			...storeParameters,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [leaseOption],
			},
		],
	};

	methods = { credentialTest: storeCredentialTests };

	webhookMethods = noRegistration;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return receivePaymentEvent(this, square);
	}
}
