/**
 * The hotel store chosen once per n8n instance (HOTEL_DATABASE_URL), and refused where it would
 * silently split the records (the embedded store in queue mode).
 */
import { HotelError } from '../../lib/errors';
import { checkStoreForExecutionMode, describeStore, instanceStoreConfig, postgresUrlConfig } from '../../lib/store/instanceStore';
import { thrownBy } from '../support/thrown';

it('is the embedded store when nothing is set', () => {
	expect(instanceStoreConfig({})).toEqual({ kind: 'embedded' });
	expect(instanceStoreConfig({ HOTEL_DATABASE_URL: '  ' })).toEqual({ kind: 'embedded' });
});

it('reads a PostgreSQL URL, user and password URL-encoded, SSL from sslmode', () => {
	expect(instanceStoreConfig({ HOTEL_DATABASE_URL: 'postgres://hotel:p%40ss%2Fw%3Ard@db.example.com:6432/hotel_main?sslmode=require' })).toEqual({
		kind: 'postgres',
		host: 'db.example.com',
		port: 6432,
		database: 'hotel_main',
		user: 'hotel',
		password: 'p@ss/w:rd',
		ssl: true,
	});
	expect(postgresUrlConfig('postgresql://n8n@127.0.0.1/hotel')).toEqual({ kind: 'postgres', host: '127.0.0.1', port: 5432, database: 'hotel', user: 'n8n', password: undefined, ssl: false });
	expect(postgresUrlConfig('postgres://n8n@[::1]:5432/hotel?sslmode=disable')).toMatchObject({ host: '::1', ssl: false });
	expect(describeStore(postgresUrlConfig('postgres://n8n:secret@127.0.0.1/hotel'))).toBe('PostgreSQL at 127.0.0.1:5432/hotel');
});

it.each([
	['not a URL', 'hotel-db:5432'],
	['another scheme', 'mysql://u@h/db'],
	['no database', 'postgres://u@h:5432/'],
	['no user', 'postgres://h:5432/db'],
])('refuses %s, saying what to give (and never echoing a password)', (_name, value) => {
	const caught = thrownBy(() => postgresUrlConfig(value), HotelError);
	expect(caught.message).toMatch(/HOTEL_DATABASE_URL/);
	expect(caught.message).toMatch(/postgres:\/\//);
});

it('refuses the embedded store in queue mode and says what to set; PostgreSQL is fine there', () => {
	expect(() => checkStoreForExecutionMode({ kind: 'embedded' }, { EXECUTIONS_MODE: 'queue' })).toThrow(/queue mode .* Set HOTEL_DATABASE_URL=postgres:\/\/.* on every n8n process/);
	expect(() => checkStoreForExecutionMode({ kind: 'embedded' }, { EXECUTIONS_MODE: 'regular' })).not.toThrow();
	expect(() => checkStoreForExecutionMode(postgresUrlConfig('postgres://u@h/db'), { EXECUTIONS_MODE: 'queue' })).not.toThrow();
});
