/**
 * Dates for the tests, as days from one "today" per test file: Jest loads this module afresh for
 * each file, so the dates a file uses agree with each other even when a run crosses midnight.
 */
import { addDays, today } from '../../lib/inventory/dates';

const TODAY = today();

/** The date `n` days from this file's today (negative: in the past), as YYYY-MM-DD. */
export const day = (n: number): string => addDays(TODAY, n);
