/**
 * Text helpers shared by the report's tables.
 */
import type { CaseFigures } from './stats';

export function errorText(f: CaseFigures): string {
	if (f.errors === 0) return '0';
	const detail = Object.entries(f.errorsByStatus).map(([status, n]) => `${n}×${status === '0' ? 'net' : status}`);
	return `${f.errors} (${detail.join(', ')})`;
}

export function fixed(value: number, digits = 1): string {
	return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** Left-aligned text, right-aligned numbers, two spaces between columns. */
export function alignColumns(rows: string[][]): string {
	const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
	const isNumeric = (cell: string) => /^[\d.]/.test(cell);
	return rows
		.map((row) => row.map((cell, col) => (isNumeric(cell) && col > 1 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join('  ').trimEnd())
		.join('\n');
}
