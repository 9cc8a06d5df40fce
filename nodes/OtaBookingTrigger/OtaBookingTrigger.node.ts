import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { usePartnerLogger } from '../../lib/resilience/policy';
import { HotelService } from '../../lib/booking/hotelService';
import { pullReservations } from '../../lib/channels/pull';
import { describeError } from '../shared/nodeErrors';
import { databaseParameter, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { channelConnectionFrom, INTAKE_OUTPUT_NAMES, intakeItems, otaCredentialTests } from '../shared/otaConnection';

/**
 * Pulls new, modified and cancelled reservations from a channel on a schedule (the channels' pull
 * pattern), stores each one idempotently, acknowledges it only then, and emits one item per
 * reservation change for the next steps (e-mail, calendar, pushing the new availability back to
 * the other channels). A reservation that could not be taken in is reported to the channel as
 * failed and leaves on the second output, named, so hotel IT sees it; the others are not held up.
 * Never polls a channel more often than its profile allows.
 */
export class OtaBookingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OTA Booking Trigger',
		name: 'otaBookingTrigger',
		icon: { light: 'file:otaBookingTrigger.svg', dark: 'file:otaBookingTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Pull reservations',
		description: 'Pulls reservations from an OTA channel on a schedule and acknowledges them once stored',
		defaults: { name: 'OTA Booking Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: INTAKE_OUTPUT_NAMES,
		credentials: [
			{ name: 'hotelOtaChannelApi', required: true, testedBy: 'otaChannelConnection' },
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		properties: [
			{
				displayName: "Polls faster than the channel's profile allows (Booking.com-style: 20 s, channel managers: 2 min) are skipped",
				name: 'notice',
				type: 'notice',
				default: '',
			},
			databaseParameter,
		],
	};

	methods = { credentialTest: { ...storeCredentialTests, ...otaCredentialTests } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		usePartnerLogger(this.logger);
		const conn = channelConnectionFrom(await this.getCredentials('hotelOtaChannelApi'));
		const state = this.getWorkflowStaticData('node') as { lastPollAt?: number };
		const manual = this.getMode() === 'manual';
		if (!manual && state.lastPollAt && Date.now() - state.lastPollAt < conn.profile.limits.minPollIntervalSeconds * 1000) return null;
		state.lastPollAt = Date.now();

		const db = await hotelStore(this);
		let taken;
		try {
			taken = await pullReservations(db, new HotelService(db), conn);
		} catch (error) {
			throw describeError(this.getNode(), error).nodeError;
		}
		const [changes, failures] = intakeItems(conn.channel, taken);
		for (const failure of failures) this.logger.warn('OTA reservation not taken in', { integration: 'ota', channel: conn.channel, ...failure.json });
		this.logger.info('OTA reservations pulled', { integration: 'ota', channel: conn.channel, count: taken.length, failed: failures.length });
		if (changes.length + failures.length === 0) return manual ? [[{ json: { channel: conn.channel, pulled: 0 } }], []] : null;
		return [changes, failures];
	}
}
