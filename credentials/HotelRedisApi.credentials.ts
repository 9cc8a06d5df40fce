import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/** The hotel's Redis: cache, queues and the fast duplicate guard. Tested by the nodes that use it. */
export class HotelRedisApi implements ICredentialType {
	name = 'hotelRedisApi';

	displayName = 'Hotel Redis';

	documentationUrl = 'https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: 'localhost', required: true },
		{ displayName: 'Port', name: 'port', type: 'number', default: 6379 },
		{ displayName: 'User', name: 'username', type: 'string', default: '', description: 'Leave empty unless Redis uses ACL users' },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'Database Number', name: 'database', type: 'number', default: 0 },
		{ displayName: 'TLS', name: 'tls', type: 'boolean', default: false, description: 'Whether to connect with TLS' },
		{
			displayName: 'Key Prefix',
			name: 'keyPrefix',
			type: 'string',
			default: 'hotel:',
			description: 'Put in front of every key this package writes, so one Redis can serve several hotels',
		},
	];
}
