/**
 * How many expression isolates n8n took from its pool. n8n 2.41 evaluates expressions in
 * isolated-vm; every acquisition throws that isolate away afterwards and builds a new one, which
 * costs tens of ms of CPU, so acquisitions per execution explain most of the gap between the cases.
 *
 * The counter is on n8n's Prometheus endpoint, which is off by default: it is read only when the
 * bench runs with BENCH_N8N_ENV=N8N_METRICS=true (a diagnosis run, not the default comparison).
 */
const COUNTER = 'n8n_expression_pool_acquired_total';

/** Total acquisitions so far, or undefined when /metrics is off or does not have the counter. */
export async function isolatesAcquired(n8nUrl: string): Promise<number | undefined> {
	const res = await fetch(`${n8nUrl}/metrics`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
	if (!res?.ok) {
		await res?.body?.cancel();
		return undefined;
	}
	// A counter line is "<name>{labels} <value>" or "<name> <value>"; labelled series are summed.
	let total: number | undefined;
	for (const line of (await res.text()).split('\n')) {
		if (!line.startsWith(COUNTER)) continue;
		total = (total ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
	}
	return total;
}
