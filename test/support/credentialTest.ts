/** The editor's credential Test button, pressed through n8n's REST API (for the e2e tests of our credential types). */
import type { N8n } from '../../scripts/n8n';

/**
 * Saves the credential, then sends what the editor's Test button sends: the saved credential's id
 * with the form's data. n8n answers 200 either way; the verdict is in its data (status OK or Error).
 */
export async function pressCredentialTest(n8n: N8n, credentials: { name: string; type: string; data: Record<string, unknown> }): Promise<{ status: string; message: string }> {
	const { id } = await n8n.api.createCredential(credentials);
	const res = await fetch(`${n8n.url}/rest/credentials/test`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', cookie: n8n.authCookie },
		body: JSON.stringify({ credentials: { id, ...credentials } }),
	});
	const text = await res.text();
	expect([res.status, text]).toEqual([200, expect.any(String)]);
	return (JSON.parse(text) as { data: { status: string; message: string } }).data;
}
