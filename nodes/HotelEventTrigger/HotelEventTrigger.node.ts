import {
	NodeConnectionTypes,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { HOTEL_EVENTS, latestHotelEvents, recentHotelEvents, takeHotelEvents, type HotelEvent } from '../../lib/events/hotelEvents';
import { databaseParameter, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { describeError } from '../shared/nodeErrors';

/**
 * Starts the workflow for what happened to reservations and payments in the hotel's store —
 * whoever made the change: the booking engine, an OTA (pull or webhook), staff, a Stripe webhook.
 * The guest-notifications workflow hangs e-mail and the calendar on it.
 *
 * Each trigger keeps its own cursor in the store (per workflow and node), so it hands out each
 * event once, survives restarts, and two workflows can each follow the feed. It starts at the
 * newest event when first activated: an old history is not replayed to guests.
 *
 * Read "Recent Events Again" (catch-up) hands out, on each poll, every event of the last hours
 * whose stay is not over, without a cursor: steps that are idempotent (Hotel Email's outbox) do
 * what a failed execution left undone, and nothing twice.
 */
export class HotelEventTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hotel Event Trigger',
		name: 'hotelEventTrigger',
		icon: { light: 'file:hotelEventTrigger.svg', dark: 'file:hotelEventTrigger.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") || "all events" }}',
		description: 'Starts when a reservation is created, modified or cancelled, or a payment succeeds, fails or is refunded',
		defaults: { name: 'Hotel Event Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' }],
		properties: [
			{
				displayName: 'Read',
				name: 'read',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'New Events', value: 'new', description: 'Each event once, from where this trigger left off' },
					{
						name: 'Recent Events Again (Catch-Up)',
						value: 'recent',
						description: 'Every event of the last hours whose stay is not over, on each poll: for idempotent steps such as Hotel Email to make good what failed',
					},
				],
				default: 'new',
			},
			{
				displayName: 'Hours Back',
				name: 'hours',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 720, numberPrecision: 0 },
				default: 24,
				displayOptions: { show: { read: ['recent'] } },
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: [
					{ name: 'Payment Failed', value: 'payment.failed' },
					{ name: 'Payment Refunded', value: 'payment.refunded' },
					{ name: 'Payment Succeeded', value: 'payment.succeeded' },
					{ name: 'Reservation Cancelled', value: 'reservation.cancelled' },
					{ name: 'Reservation Created', value: 'reservation.created' },
					{ name: 'Reservation Modified', value: 'reservation.modified' },
				],
				default: [...HOTEL_EVENTS],
				description: 'Which events start the workflow (the others are passed over)',
			},
			{
				displayName: 'Max Events per Poll',
				name: 'maxEvents',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 5000 },
				default: 500,
				description: 'The rest follow on the next poll',
			},
			databaseParameter,
		],
	};

	methods = { credentialTest: storeCredentialTests };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const events = this.getNodeParameter('events', []) as string[];
		const limit = this.getNodeParameter('maxEvents', 500) as number;
		let taken: HotelEvent[];
		try {
			const db = await hotelStore(this);
			// "Test workflow" shows the newest matching event and moves no cursor.
			if (this.getNodeParameter('read', 'new') === 'recent') taken = await recentHotelEvents(db, { hours: this.getNodeParameter('hours', 24) as number, events, limit });
			else if (this.getMode() === 'manual') taken = await latestHotelEvents(db, { events, limit: 1 });
			else taken = await takeHotelEvents(db, `${this.getWorkflow().id}:${this.getNode().id}`, { events, limit });
		} catch (error) {
			throw describeError(this.getNode(), error).nodeError;
		}
		if (taken.length > 0) {
			this.logger.info('Hotel events taken', { integration: 'hotel-events', count: taken.length, events: taken.map((e) => e.event), reservationIds: taken.map((e) => e.reservationId) });
		}
		if (taken.length === 0) return null;
		return [taken.map((e) => ({ json: eventItem(e) }))];
	}
}

/** One item per event, shaped like the OTA triggers' items (action + reservation) so e-mail and calendar steps read both. */
function eventItem(e: HotelEvent): IDataObject {
	const [kind, what] = e.event.split('.');
	return {
		event: e.event,
		action: kind === 'reservation' ? what : null,
		eventId: e.id,
		occurredAt: e.occurredAt,
		reservationId: e.reservationId,
		reservation: e.reservation as unknown as IDataObject,
		payment: (e.payment ?? null) as unknown as IDataObject,
	};
}
