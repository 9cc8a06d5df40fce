/**
 * What the e-mail tests share: a database of the file's own (where the outbox lives) and the local
 * SMTP peer, started together and stopped together.
 */
import { resetPartnerPolicies } from '../../lib/resilience/policy';
import type { Db } from '../../lib/store/db';
import { startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../peers/smtpPeer';
import { openTestStore, type TestStore } from './services';

export interface StoreAndSmtpPeer extends TestStore {
	peer: SmtpPeer;
	/** Stops the peer, closes the stores and drops the database. */
	close(): Promise<void>;
}

export async function startStoreAndSmtpPeer(label: string, smtp: SmtpPeerOptions = {}): Promise<StoreAndSmtpPeer> {
	const store = await openTestStore(label);
	const peer = await startSmtpPeer(smtp);
	return { ...store, peer, close: () => peer.stop().then(store.close) };
}

/** Before each test of the outbox: a peer that has received nothing, fresh partner policies, an empty outbox. */
export async function resetOutboxTestState(db: Db, peer: SmtpPeer): Promise<void> {
	peer.reset();
	resetPartnerPolicies();
	await db.query('DELETE FROM email_outbox');
}
