import { OtaMessageError, type OtaErrorKind } from '../../lib/ota';
import { thrownBy } from './thrown';

/** `read` refuses its message with an OtaMessageError of this kind, whose message says why. */
export function expectOtaRefused(read: () => unknown, kind: OtaErrorKind, message: RegExp): void {
	const error = thrownBy(read, OtaMessageError);
	expect(error.kind).toBe(kind);
	expect(error.message).toMatch(message);
}
