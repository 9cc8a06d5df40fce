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

/** Both OTA triggers' outputs: the reservations taken in, and the ones that could not be. */
export const INTAKE_OUTPUT_NAMES = ['Reservation Changes', 'Not Taken In'];

/** The items of both outputs: one per reservation change, and one per reservation not taken in (named, with the reason). */
export function intakeItems(channel: string, taken: IntakeResult[]): [INodeExecutionData[], INodeExecutionData[]] {
	const changes: INodeExecutionData[] = [];
	const failures: INodeExecutionData[] = [];
	for (const t of taken) {
		if (t.ack.ok) {
			changes.push({
				json: {
					channel,
					channelReservationId: t.ack.channelReservationId,
					acknowledged: true,
					action: t.change?.action ?? null,
					applied: t.change?.applied ?? false,
					reservation: (t.change?.reservation ?? null) as unknown as IDataObject,
				},
			});
			continue;
		}
		failures.push({
			json: {
				channel,
				channelReservationId: t.ack.channelReservationId || null,
				acknowledged: false,
				positionInMessage: t.failure?.position ?? null,
				where: t.failure?.path ?? null,
				error: t.error ?? 'not taken in',
				whatToDo: `${channel} was told this reservation failed and falls back to its own procedure (usually an e-mail to the property). Enter it by hand, or fix the cause (e.g. map the room type) and ask ${channel} to send it again. The sync log (OTA Channel → Get Sync Log) has it as it came.`,
			},
		});
	}
	return [changes, failures];
}
