/**
 * Keeps credential secrets out of what a health run shows and logs. An error message is the
 * partner's or the client library's words, and some echo what they were given (a URL with a
 * password, a rejected key); every secret value the checks read is blanked out of it.
 */

/** Field names that hold secrets in our credential types (password, secretKey, webhookSecret, privateKey, …). */
const SECRET_FIELD = /password|secret|privateKey|token/i;
/** Shorter values are not blanked: replacing "a" everywhere would wreck the message and hide nothing. */
const MIN_SECRET_LENGTH = 4;

export class SecretRedactor {
	private readonly secrets = new Set<string>();

	/** Remembers the secret fields of a credential. */
	add(credentials: Record<string, unknown>): void {
		for (const [field, value] of Object.entries(credentials)) {
			if (SECRET_FIELD.test(field) && typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) this.secrets.add(value);
		}
	}

	redact(text: string): string {
		let out = text;
		// Longest first, so a secret that contains another is blanked whole.
		for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
		return out;
	}
}
