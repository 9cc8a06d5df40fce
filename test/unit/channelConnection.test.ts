/** The Hotel OTA Channel credential's resilience fields, and what a failed push becomes. */
import { PROFILES } from '../../lib/channels/profiles';
import { requirePushed, type PushReport } from '../../lib/channels/push';
import { PartnerError, defaultResilience } from '../../lib/resilience/policy';
import { channelConnectionFrom } from '../../nodes/shared/otaConnection';

const saved = { profile: 'siteminder', channel: 'sm', baseUrl: 'http://127.0.0.1:1/ota', hotelCode: 'H1', username: 'u', password: 'p' };

it('takes attempts, failures before pausing and the pause from the credential', () => {
	const conn = channelConnectionFrom({ ...saved, maxAttempts: 2, breakerThreshold: 3, pauseSeconds: 7 });
	expect(conn.profile).toBe(PROFILES.siteminder);
	expect(conn.resilience).toEqual({ maxAttempts: 2, breakerThreshold: 3, halfOpenAfterMs: 7_000 });
});

it('uses the defaults for a credential saved before those fields existed, or with nonsense in them', () => {
	const expected = { maxAttempts: defaultResilience.maxAttempts, breakerThreshold: defaultResilience.breakerThreshold, halfOpenAfterMs: defaultResilience.halfOpenAfterMs };
	expect(channelConnectionFrom(saved).resilience).toEqual(expected);
	expect(channelConnectionFrom({ ...saved, maxAttempts: 0, breakerThreshold: -1, pauseSeconds: 'x' }).resilience).toEqual(expected);
});

it('turns a failed push into an error that says nothing is lost, and passes other outcomes through', () => {
	const report: PushReport = { channel: 'sm', status: 'failed', changes: 3, messages: 1, nights: 4, bytes: 900, notMapped: [], error: 'sm answered 503.' };
	expect(() => requirePushed(report)).toThrow(PartnerError);
	expect(() => requirePushed(report)).toThrow(/Push to sm failed after 1 message\(s\) went through: sm answered 503\. Nothing is lost/);
	const pushed = { ...report, status: 'pushed' as const, error: undefined };
	expect(requirePushed(pushed)).toBe(pushed);
});
