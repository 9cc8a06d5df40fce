/**
 * The Hotel SMTP credential as both e-mail nodes use it: its Test button (the SMTP server's own
 * verification: connect, TLS, login) and a sender built from it.
 */
import type { ICredentialDataDecryptedObject, ICredentialsDecrypted, ICredentialTestFunctions, INodeCredentialTestResult } from 'n8n-workflow';
import { smtpConfigFrom, SmtpSender, verifySmtp, type TransportOptions } from '../../lib/email/smtpTransport';
import type { ResilienceOptions } from '../../lib/resilience/policy';

const TEST_TIMEOUT_MS = 20_000;

async function hotelSmtpConnection(this: ICredentialTestFunctions, credential: ICredentialsDecrypted<ICredentialDataDecryptedObject>): Promise<INodeCredentialTestResult> {
	try {
		const config = smtpConfigFrom(credential.data ?? {});
		await verifySmtp(config, AbortSignal.timeout(TEST_TIMEOUT_MS));
		return { status: 'OK', message: `Connected to ${config.host}:${config.port}${config.user ? ' and logged in' : ''}` };
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
}

export const smtpCredentialTests = { hotelSmtpConnection };

export function smtpSenderFrom(
	credentials: ICredentialDataDecryptedObject,
	options: TransportOptions & { resilience?: Partial<ResilienceOptions> } = {},
): SmtpSender {
	return new SmtpSender(smtpConfigFrom(credentials), options);
}
