import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { HotelService } from '../../lib/booking/hotelService';
import { queryChannelAvailability } from '../../lib/channels/availabilityQuery';
import { readSyncLog } from '../../lib/channels/channelClient';
import { ChannelMappings, type MappingKind } from '../../lib/channels/mapping';
import { pullReservations } from '../../lib/channels/pull';
import { pushChanges, requirePushed } from '../../lib/channels/push';
import { AUDIT_NIGHTS, auditChannel, requireRepaired } from '../../lib/channels/audit';
import { today } from '../../lib/inventory/dates';
import { databaseParameter, hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { show } from '../shared/parameters';
import { channelConnectionFrom, otaCredentialTests } from '../shared/otaConnection';
import { runOperations } from '../shared/runOperations';

type Ctx = { fn: IExecuteFunctions; i: number };


/**
 * An OTA channel: push what changed in availability, restrictions and rates; ask the channel what
 * it sells for a stay; pull reservations now; edit the room type and rate plan mappings; read the sync log.
 */
export class OtaChannel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'OTA Channel',
		name: 'otaChannel',
		icon: { light: 'file:otaChannel.svg', dark: 'file:otaChannel.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["resource"] + ": " + $parameter["operation"] }}',
		description: 'Push availability, restrictions and rates to an OTA over OpenTravel XML, and manage the channel',
		defaults: { name: 'OTA Channel' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'hotelOtaChannelApi', required: true, testedBy: 'otaChannelConnection' },
			{ name: 'hotelPostgresApi', required: true, displayOptions: { show: { database: ['postgres'] } }, testedBy: 'hotelPostgresConnection' },
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Availability and Rate', value: 'ari', description: 'Availability, restrictions and rates' },
					{ name: 'Mapping', value: 'mapping', description: "The channel's codes for the hotel's room types and rate plans" },
					{ name: 'Reservation', value: 'reservation' },
					{ name: 'Sync Log', value: 'syncLog' },
				],
				default: 'ari',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['ari'] } },
				options: [
					{
						name: 'Audit',
						value: 'audit',
						action: 'Audit availability restrictions and rates at the channel',
						description: "Read back what the channel holds night by night, list what differs from the hotel's records, and optionally repair it",
					},
					{ name: 'Push Changes', value: 'push', action: 'Push changed availability restrictions and rates', description: 'Send what changed since the last successful push, as merged date ranges' },
					{ name: 'Query Availability', value: 'query', action: 'Query availability at the channel', description: 'Ask the channel what it sells for a stay, in the hotel\'s codes' },
				],
				default: 'push',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['reservation'] } },
				options: [{ name: 'Pull Now', value: 'pull', action: 'Pull new modified and cancelled reservations', description: 'Store them, then acknowledge them to the channel' }],
				default: 'pull',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['mapping'] } },
				options: [
					{ name: 'Delete', value: 'delete', action: 'Delete a mapping' },
					{ name: 'Get Many', value: 'list', action: 'Get the mappings of the channel' },
					{ name: 'Set', value: 'set', action: 'Map a room type or rate plan' },
				],
				default: 'set',
			},
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { resource: ['syncLog'] } },
				options: [{ name: 'Get Many', value: 'list', action: 'Get the latest sync log entries' }],
				default: 'list',
			},
			{
				displayName: 'Kind',
				name: 'kind',
				type: 'options',
				options: [
					{ name: 'Room Type', value: 'room_type' },
					{ name: 'Rate Plan', value: 'rate_plan' },
				],
				default: 'room_type',
				displayOptions: show('mapping', ['set', 'delete']),
			},
			{ displayName: 'Hotel Code', name: 'hotelCode', type: 'string', default: '', required: true, placeholder: 'DBL', displayOptions: show('mapping', ['set', 'delete']) },
			{ displayName: 'Channel Code', name: 'channelCode', type: 'string', default: '', required: true, placeholder: '1234501', displayOptions: show('mapping', ['set']) },
			{
				displayName: 'Arrival',
				name: 'arrival',
				type: 'string',
				default: '',
				required: true,
				placeholder: '2026-05-01',
				description: 'First night of the stay, as YYYY-MM-DD',
				displayOptions: show('ari', ['query']),
			},
			{
				displayName: 'Departure',
				name: 'departure',
				type: 'string',
				default: '',
				required: true,
				placeholder: '2026-05-03',
				description: 'Day the guest leaves, as YYYY-MM-DD',
				displayOptions: show('ari', ['query']),
			},
			{
				displayName: 'Adults',
				name: 'adults',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 999, numberPrecision: 0 },
				default: 2,
				displayOptions: show('ari', ['query']),
			},
			{
				displayName: 'Room Type',
				name: 'roomType',
				type: 'string',
				default: '',
				placeholder: 'DBL',
				description: 'Hotel room type code to ask for (it must be mapped); leave empty for all room types',
				displayOptions: show('ari', ['query']),
			},
			{
				displayName: 'From',
				name: 'from',
				type: 'string',
				default: '',
				placeholder: '2026-05-01',
				description: 'First night to audit, as YYYY-MM-DD; empty for today',
				displayOptions: show('ari', ['audit']),
			},
			{
				displayName: 'Nights',
				name: 'nights',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: AUDIT_NIGHTS.max, numberPrecision: 0 },
				default: 30, // AUDIT_NIGHTS.default (the linter wants a literal)
				description: 'How many nights from the first to audit; one availability request per night',
				displayOptions: show('ari', ['audit']),
			},
			{
				displayName: 'Repair',
				name: 'repair',
				type: 'boolean',
				default: false,
				description: "Whether to push the hotel's state for exactly the nights that differ (the push cursor does not move)",
				displayOptions: show('ari', ['audit']),
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000, numberPrecision: 0 },
				default: 50,
				description: 'Max number of results to return',
				displayOptions: show('syncLog', ['list']),
			},
			databaseParameter,
		],
	};

	methods = { credentialTest: { ...storeCredentialTests, ...otaCredentialTests } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const conn = channelConnectionFrom(await this.getCredentials('hotelOtaChannelApi'));
		const db = await hotelStore(this);
		const operations: Record<string, (ctx: Ctx) => Promise<IDataObject>> = {
			// A failed push fails the execution (red in the n8n UI, error workflows run); nothing is lost.
			'ari.push': async () => requirePushed(await pushChanges(db, conn)) as unknown as IDataObject,
			'ari.query': async ({ i }) => {
				const arrival = String(this.getNodeParameter('arrival', i));
				const departure = String(this.getNodeParameter('departure', i));
				const adults = Number(this.getNodeParameter('adults', i, 2));
				// An empty field means every room type, not a room type called "".
				const roomType = String(this.getNodeParameter('roomType', i, '')).trim() || undefined;
				const offers = await queryChannelAvailability(db, conn, { arrival, departure, adults, roomType });
				return { channel: conn.channel, arrival, departure, offers: offers as unknown as IDataObject[] };
			},
			// A repair that fails fails the execution; drift alone is a finding, reported in the item.
			'ari.audit': async ({ i }) => {
				const from = String(this.getNodeParameter('from', i, '')).trim() || today();
				const report = await auditChannel(db, conn, { from, nights: Number(this.getNodeParameter('nights', i, AUDIT_NIGHTS.default)), repair: this.getNodeParameter('repair', i, false) as boolean });
				return requireRepaired(report) as unknown as IDataObject;
			},
			'reservation.pull': async () => {
				const taken = await pullReservations(db, new HotelService(db), conn);
				return { pulled: taken.length, results: taken as unknown as IDataObject[] };
			},
			'mapping.set': async ({ i }) => {
				const m = { kind: this.getNodeParameter('kind', i) as MappingKind, hotelCode: String(this.getNodeParameter('hotelCode', i)), channelCode: String(this.getNodeParameter('channelCode', i)) };
				await new ChannelMappings(db, conn.channel).set([m]);
				return { channel: conn.channel, ...m };
			},
			'mapping.delete': async ({ i }) => {
				const kind = this.getNodeParameter('kind', i) as MappingKind;
				const hotelCode = String(this.getNodeParameter('hotelCode', i));
				await new ChannelMappings(db, conn.channel).remove(kind, hotelCode);
				return { channel: conn.channel, kind, hotelCode, deleted: true };
			},
			'mapping.list': async () => ({ channel: conn.channel, mappings: (await new ChannelMappings(db, conn.channel).list()) as unknown as IDataObject[] }),
			'syncLog.list': async ({ i }) => ({ channel: conn.channel, entries: (await readSyncLog(db, conn.channel, Number(this.getNodeParameter('limit', i, 50)))) as unknown as IDataObject[] }),
		};
		return runOperations<Ctx>(this, {
			node: 'OTA Channel',
			operations,
			context: (i) => ({ fn: this, i }),
			logFields: () => ({ integration: 'ota', channel: conn.channel }),
		});
	}
}
