import { describeError } from '@app/common';
import type { Plan, WebhookRequest } from './requests';

export type Fetch = typeof fetch;

type Result = { status: number; body: string } | { error: string };

const MAX_BODY_CHARS = 300;

/**
 * Sends the requests one after another (a duplicate right after its original, as a provider retry
 * would be), printing one line per request, then a summary. Returns whether every answer was the
 * expected one: 2xx, or 401 when the plan expects a rejection.
 */
export async function sendAll(plan: Plan, out: (line: string) => void, fetchImpl: Fetch = fetch): Promise<boolean> {
  const tally = new Map<string, number>();
  let unexpected = 0;
  for (const [k, request] of plan.requests.entries()) {
    const result = await sendOne(request, fetchImpl);
    const label = 'status' in result ? String(result.status) : 'network error';
    tally.set(label, (tally.get(label) ?? 0) + 1);
    if (!isExpected(result, plan.expectRejection)) unexpected++;
    const answer = 'status' in result ? `${result.status} ${result.body}`.trim() : `network error: ${result.error}`;
    out(`#${k + 1} POST ${request.url} id=${request.id}${request.duplicate ? ' (duplicate)' : ''} -> ${answer}`);
  }
  const counts = [...tally].map(([label, n]) => `${label} x${n}`).join(', ');
  const expected = plan.expectRejection ? '401 (refused)' : '2xx';
  const verdict = unexpected === 0 ? `all as expected (${expected})` : `${unexpected} not ${expected}`;
  out(`summary: ${plan.requests.length} sent: ${counts}; ${verdict}`);
  return unexpected === 0;
}

function isExpected(result: Result, expectRejection: boolean): boolean {
  if (!('status' in result)) return false;
  return expectRejection ? result.status === 401 : result.status >= 200 && result.status < 300;
}

async function sendOne(request: WebhookRequest, fetchImpl: Fetch): Promise<Result> {
  try {
    const res = await fetchImpl(request.url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
    const text = (await res.text()).replace(/\s+/g, ' ').trim();
    return { status: res.status, body: text.length > MAX_BODY_CHARS ? `${text.slice(0, MAX_BODY_CHARS)}...` : text };
  } catch (e) {
    return { error: describeError(e) };
  }
}
