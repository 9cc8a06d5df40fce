import { NodeConnectionTypes, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';
import { hotelStore, storeCredentialTests } from '../shared/hotelStore';
import { channelConnectionFrom, otaCredentialTests } from '../shared/otaConnection';
import { runOperations } from '../shared/runOperations';
import { actions, type ChannelContext } from './actions';
import { properties } from './description';

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
		properties,
	};

	methods = { credentialTest: { ...storeCredentialTests, ...otaCredentialTests } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const conn = channelConnectionFrom(await this.getCredentials('hotelOtaChannelApi'));
		const db = await hotelStore(this);
		return runOperations<ChannelContext>(this, {
			node: 'OTA Channel',
			operations: actions,
			context: (i) => ({ fn: this, i, db, conn }),
			logFields: () => ({ integration: 'ota', channel: conn.channel }),
		});
	}
}
