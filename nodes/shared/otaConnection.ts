/** From a Hotel OTA Channel credential to a channel connection (lib/channels). */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, IDataObject, INodeCredentialTestResult, INodeExecutionData } from 'n8n-workflow';
import type { IntakeResult } from '../../lib/channels/intake';
import { probeChannel, type ChannelConnection } from '../../lib/channels/channelClient';
import { profileOf } from '../../lib/channels/profiles';
import { defaultResilience } from '../../lib/resilience/policy';

export function channelConnectionFrom(c: ICredentialDataDecryptedObject): ChannelConnection {
	return {
		channel: String(c.channel || c.profile || 'channel'),
		profile: profileOf(String(c.profile || 'generic')),
		baseUrl: String(c.baseUrl ?? ''),
		hotelCode: String(c.hotelCode ?? ''),
		username: String(c.username ?? ''),
		password: String(c.password ?? ''),
		resilience: {
			maxAttempts: positive(c.maxAttempts, defaultResilience.maxAttempts),
			breakerThreshold: positive(c.breakerThreshold, defaultResilience.breakerThreshold),
			halfOpenAfterMs: positive(c.pauseSeconds, defaultResilience.halfOpenAfterMs / 1000) * 1000,
		},
	};
}

/** Credentials saved before a field existed have no value for it: use the default. */
function positive(value: unknown, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** The Test button of the Hotel OTA Channel credential: ask the channel for undelivered reservations (a read acknowledges nothing). */
async function otaChannelConnection(this: ICredentialTestFunctions, credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>): Promise<INodeCredentialTestResult> {
	const verdict = await probeChannel(channelConnectionFrom(credential.data ?? {}));
	return verdict.ok ? { status: 'OK', message: verdict.message } : { status: 'Error', message: verdict.message };
}

export const otaCredentialTests = { otaChannelConnection };

/** The item both OTA triggers emit per reservation they took in (or failed to). */
export function reservationChangeItem(channel: string, t: IntakeResult): INodeExecutionData {
	return {
		json: {
			channel,
			channelReservationId: t.ack.channelReservationId,
			acknowledged: t.ack.ok,
			action: t.change?.action ?? null,
			applied: t.change?.applied ?? false,
			reservation: (t.change?.reservation ?? null) as unknown as IDataObject,
			error: t.error ?? null,
		},
	};
}
