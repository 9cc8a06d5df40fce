import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The hotel's PostgreSQL, where inventory, reservations, payments and processed events live.
 * Optional: without it the nodes use an embedded PostgreSQL in the n8n user folder (single n8n
 * only; queue mode with workers needs this credential). Tested by the nodes that use it.
 */
export class HotelPostgresApi implements ICredentialType {
	name = 'hotelPostgresApi';

	displayName = 'Hotel PostgreSQL';

	documentationUrl = 'https://www.postgresql.org/docs/current/libpq-connect.html';

	icon = 'file:../icons/hotel.svg' as const;

	properties: INodeProperties[] = [
		{ displayName: 'Host', name: 'host', type: 'string', default: 'localhost', required: true },
		{ displayName: 'Port', name: 'port', type: 'number', default: 5432 },
		{ displayName: 'Database', name: 'database', type: 'string', default: 'hotel', required: true },
		{ displayName: 'User', name: 'user', type: 'string', default: 'postgres', required: true },
		{ displayName: 'Password', name: 'password', type: 'string', typeOptions: { password: true }, default: '' },
		{ displayName: 'SSL', name: 'ssl', type: 'boolean', default: false, description: 'Whether to connect with TLS (certificates are verified)' },
	];
}
