/**
 * What a synchronous call throws, as the class the test expects: the test fails if `fn` throws
 * anything else, or nothing.
 */
export function thrownBy<E>(fn: () => unknown, expected: abstract new (...args: never[]) => E): E {
	try {
		fn();
	} catch (error) {
		expect(error).toBeInstanceOf(expected);
		return error as E;
	}
	throw new Error(`expected ${expected.name} to be thrown`);
}
