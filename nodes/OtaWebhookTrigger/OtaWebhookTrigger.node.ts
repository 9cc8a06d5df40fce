import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { HotelService } from '../../lib/booking/hotelService';
import { intakeLog, takeIn, type IntakeResult } from '../../lib/channels/intake';
import type { ChannelConnection } from '../../lib/channels/channelClient';
import { ChannelMappings } from '../../lib/channels/mapping';
import type { ReservationBatch } from '../../lib/ota';
import { credentialsOf, databaseParameter, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { noRegistration } from '../shared/noRegistration';
import { channelConnectionFrom, INTAKE_OUTPUT_NAMES, intakeItems, otaCredentialTests } from '../shared/otaConnection';
import { refusalAnswer, reservationAnswer, type AnswerContext, type PushAnswer } from '../../lib/channels/pushAnswers';
import { HttpRefusal } from '../../lib/errors';
import { receiveOrRefuse, refuse, send } from '../shared/webhookAnswer';
import { readPush } from './pushRequest';

/**
 * Reservations a channel pushes (Expedia's Booking Notification API style): OTA_HotelResNotifRQ,
 * OTA_HotelResModifyNotifRQ and OTA_CancelRQ, as plain XML or in a SOAP 1.1 envelope.
 *
 * 1. The push is authenticated (webhook secret signature, else the channel's username/password),
 *    size-checked and parsed from the raw body; a refused push is answered 401/413/400 at once.
 * 2. Each reservation is stored idempotently (a redelivery finds the version it already applied).
 * 3. The channel gets the matching RS straight away, before the workflow runs: our confirmation
 *    numbers, or Errors naming what could not be taken. If the store is down it gets a 500 (a SOAP
 *    fault for SOAP) and retries later; no execution starts then.
 * 4. Each reservation change that was applied leaves as one item on the first output, so the
 *    workflow can push the new availability to the other channels, send e-mails and update
 *    calendars. Each reservation that could not be taken in (unreadable, a room type not mapped)
 *    leaves on the second output, named, and is in the channel's sync log: the others of the same
 *    message are stored and confirmed all the same.
 */
export class OtaWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OTA Webhook Trigger',
		name: 'otaWebhookTrigger',
		icon: { light: 'file:otaWebhookTrigger.svg', dark: 'file:otaWebhookTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Reservations pushed by a channel',
		description: 'Receives reservations a channel pushes (OpenTravel XML or SOAP), stores them and answers with our confirmation numbers',
		defaults: { name: 'OTA Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: INTAKE_OUTPUT_NAMES,
		credentials: [
			{ name: 'hotelOtaChannelApi', required: true, testedBy: 'otaChannelConnection' },
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				path: 'reservations',
				// The node answers the channel itself (noWebhookResponse): the RS must not wait for the workflow.
				responseMode: 'onReceived',
			},
		],
		properties: [
			{
				displayName:
					"Give the channel this node's Production URL. Pushes are signed with the credential's Webhook Secret (X-OTA-Signature), or, without one, authenticated with its username and password (HTTP Basic, or WS-Security for SOAP).",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			databaseParameter,
			{
				// n8n 2.41 parses an XML body with xml2js before the node runs: it lowercases tags and
				// answers malformed XML with its own 422. For a version-1 webhook node it skips that
				// when options.binaryData is set, so the raw body reaches us unparsed and unjudged.
				displayName: 'Raw Body',
				name: 'options',
				type: 'hidden',
				default: { binaryData: true },
			},
		],
	};

	methods = { credentialTest: { ...storeCredentialTests, ...otaCredentialTests } };

	webhookMethods = noRegistration;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await credentialsOf(this, 'hotelOtaChannelApi');
		const conn = channelConnectionFrom(credentials);
		const secret = String(credentials.webhookSecret ?? '');
		const context: AnswerContext = { soap: false };
		// A refusal in the form the channel reads: an OTA Errors RS, or a SOAP fault.
		const format = (refusal: HttpRefusal) => {
			const answer = asXml(refusalAnswer(refusal, context));
			if (refusal.status === 401 && !secret && !context.soap) answer.headers = { 'WWW-Authenticate': 'Basic realm="OTA reservations", charset="UTF-8"' };
			return answer;
		};
		const receiver = { integration: 'ota', logFields: { channel: conn.channel }, format };
		return receiveOrRefuse(this, receiver, async () => {
			const push = await readPush(this.getRequestObject(), conn, secret, context);
			let taken: IntakeResult[];
			try {
				taken = await storePush(this, conn, push.root, push.batch);
			} catch (error) {
				// The store failed, not a reservation: answer 500 so the channel sends it all again later.
				this.logger.error('OTA push could not be stored', { integration: 'ota', channel: conn.channel, count: push.batch.reservations.length, error: (error as Error).message });
				return refuse(this, receiver, new HttpRefusal(500, 'The hotel system could not store the reservations right now; please send the message again later.'));
			}

			send(this, asXml(reservationAnswer(push.root, taken.map((t) => t.ack), { ...context, hotelCode: conn.hotelCode, idTypes: conn.profile.idTypes })));
			// Only changes applied now: a redelivery must not send a second e-mail or calendar entry.
			const [changes, failures] = intakeItems(conn.channel, taken.filter((t) => t.change?.applied || !t.ack.ok));
			for (const failure of failures) this.logger.warn('OTA reservation not taken in', { integration: 'ota', channel: conn.channel, ...failure.json });
			this.logger.info('OTA reservations pushed', {
				integration: 'ota',
				channel: conn.channel,
				message: push.root,
				count: taken.length,
				failed: failures.length,
				applied: changes.length,
			});
			// Nothing new (a redelivery already applied): the answer was all it needed.
			return changes.length + failures.length > 0 ? { noWebhookResponse: true, workflowData: [changes, failures] } : { noWebhookResponse: true };
		});
	}
}

/** Stores every readable reservation; takeIn throws only when the store itself fails (not for a bad reservation). */
async function storePush(ctx: IWebhookFunctions, conn: ChannelConnection, root: string, batch: ReservationBatch): Promise<IntakeResult[]> {
	const db = await hotelStore(ctx);
	return takeIn(new HotelService(db), new ChannelMappings(db, conn.channel), batch, intakeLog(db, conn.channel, root, 'webhook'));
}

const asXml = (answer: PushAnswer) => ({ ...answer, contentType: 'text/xml; charset=utf-8' });
