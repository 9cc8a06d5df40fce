import { hotelDetailsCredentialTests, hotelDetailsOf } from '../shared/hotelDetails';
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { EmailOutbox } from '../../lib/email/outbox';
import type { SmtpSender } from '../../lib/email/smtpTransport';
import { hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { runOperations } from '../shared/runOperations';
import { actions, batches, type ActionContext } from './actions';
import { properties } from './description';
import { smtpCredentialTests, smtpSenderFrom } from '../shared/smtpConnection';

/**
 * Guest and staff e-mails from templates (reservation confirmation, modification, cancellation,
 * payment receipt, payment failed, integration alert): preview them, send them now, or put them
 * in the outbox for the Email Queue Trigger. Either way an e-mail (template + reservation and
 * version, payment or alert) is sent once, however often the workflow runs.
 */
export class HotelEmail implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hotel Email',
		name: 'hotelEmail',
		icon: { light: 'file:hotelEmail.svg', dark: 'file:hotelEmail.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["template"] }}',
		description: 'Send guest e-mails (confirmations, changes, cancellations, payments) and staff alerts from templates, once each',
		defaults: { name: 'Hotel Email' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			// Hotel Details (nodes/shared/hotelDetails.ts), when the node takes them from the credential.
			{ name: 'hotelDetailsApi', required: true, displayOptions: { show: { hotelDetails: ['credential'] } }, testedBy: 'hotelDetailsCheck' },
			{ name: 'hotelSmtpApi', required: true, displayOptions: { show: { operation: ['sendNow'] } }, testedBy: 'hotelSmtpConnection' },
			{
				name: 'hotelPostgresApi',
				required: true,
				displayOptions: { show: { operation: ['sendNow', 'enqueue'], database: ['postgres'] } },
				testedBy: 'hotelPostgresConnection',
			},
		],
		properties,
	};

	methods = { credentialTest: { ...storeCredentialTests, ...smtpCredentialTests, ...hotelDetailsCredentialTests } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Built once per execution, and only if an operation needs them; items go out one by one,
		// so one pooled connection carries them all.
		let outbox: Promise<EmailOutbox> | undefined;
		let sender: Promise<SmtpSender> | undefined;
		const details = await hotelDetailsOf(this);
		try {
			return await runOperations<ActionContext>(this, {
				node: 'Hotel Email',
				operations: actions,
				batches,
				context: (i) => ({
					fn: this,
					i,
					details,
					outbox: () => (outbox ??= hotelStore(this).then((db) => new EmailOutbox(db))),
					sender: () => (sender ??= this.getCredentials('hotelSmtpApi').then((c) => smtpSenderFrom(c, { pool: 1 }))),
				}),
				// Never the recipient or the content: guests' addresses are personal data.
				logFields: (json) => ({
					integration: 'smtp',
					template: json.template,
					status: json.status,
					outboxId: json.outboxId,
					reservationId: json.reservationId ?? undefined,
				}),
			});
		} finally {
			if (sender) (await sender.catch(() => undefined))?.close();
		}
	}
}
