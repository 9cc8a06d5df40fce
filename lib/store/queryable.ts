/** What the store's users see of it: queries, and transactions. (db.ts opens it; migrations.ts shapes it.) */
export interface Queryable {
	query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface Db extends Queryable {
	readonly kind: 'postgres' | 'embedded';
	/** Runs `fn` in one transaction (READ COMMITTED); rolls back if it throws. */
	transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
	close(): Promise<void>;
}
