export interface AgentHealth {
  /** The agent's own status (ok, starting, reconnecting, failed), or unreachable / unknown. */
  status: string;
  httpStatus?: number;
  /** Why it is not ok, in a few words (the agent's failure code, or the probe's error). */
  detail?: string;
}

/** GET <url>/health with a deadline; never throws. */
export async function probeHealth(baseUrl: string, timeoutMs: number): Promise<AgentHealth> {
  try {
    const res = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    const b = (typeof body === 'object' && body !== null ? body : {}) as { status?: unknown; error?: { code?: unknown } };
    const status = typeof b.status === 'string' ? b.status.slice(0, 40) : res.ok ? 'ok' : 'unhealthy';
    const code = typeof b.error?.code === 'string' ? b.error.code.slice(0, 80) : undefined;
    return { status, httpStatus: res.status, ...(code ? { detail: code } : {}) };
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    return { status: 'unreachable', detail: timedOut ? `no answer within ${timeoutMs} ms` : 'connection refused or failed' };
  }
}
