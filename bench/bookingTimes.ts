/**
 * Where an availability request's time goes inside n8n, read from the executions n8n saved: the
 * execution's own span (startedAt → stoppedAt) and each node's executionTime, as medians over the
 * executions of the concurrency-1 phases (at higher concurrency node times include waiting for the
 * event loop, which says little about the node). What the HTTP latency has on top of the
 * execution span is n8n's handling of the request around it (routing, the trigger's webhook()
 * with the JWT check, creating the execution).
 */
import type { N8n } from '../scripts/n8n';
import type { N8nExecution } from '../scripts/n8nApi';
import { percentile, round } from './stats';

export interface Window {
	from: number;
	to: number;
}

export interface ExecutionTimes {
	executions: number;
	/** Medians, ms. */
	executionSpanMs: number;
	nodeMs: Record<string, number>;
}

export async function executionTimes(n8n: N8n, workflowId: string, windows: Window[]): Promise<ExecutionTimes> {
	const executions = (await n8n.api.listExecutions({ workflowId, includeData: true })).filter((e) => inWindows(e, windows));
	const spans: number[] = [];
	const byNode = new Map<string, number[]>();
	for (const execution of executions) {
		if (execution.startedAt && execution.stoppedAt) spans.push(Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt));
		for (const [node, runs] of Object.entries(execution.data?.resultData.runData ?? {})) {
			const ms = Number(runs[0]?.executionTime);
			if (Number.isFinite(ms)) byNode.set(node, [...(byNode.get(node) ?? []), ms]);
		}
	}
	return {
		executions: executions.length,
		executionSpanMs: median(spans),
		nodeMs: Object.fromEntries([...byNode].map(([node, values]) => [node, median(values)])),
	};
}

function inWindows(execution: N8nExecution, windows: Window[]): boolean {
	const started = execution.startedAt ? Date.parse(execution.startedAt) : Number.NaN;
	return windows.some((w) => started >= w.from && started <= w.to);
}

function median(values: number[]): number {
	return round(percentile([...values].sort((a, b) => a - b), 50), 1);
}
