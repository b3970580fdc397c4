import { describeError } from '@app/common';

/** What one HTTP attempt came to: a status, or a network error / timeout. */
export type SendResult = { status: number } | { error: string };

export type HttpSend = (url: string, headers: Record<string, string>, body: Buffer, signal: AbortSignal) => Promise<SendResult>;

/** POST with Node's fetch; never rejects. Redirects are not followed: a real provider treats them as failures. */
export const fetchSend: HttpSend = async (url, headers, body, signal) => {
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal, redirect: 'manual' });
    // Only the status matters; drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  } catch (e) {
    return { error: describeError(e) };
  }
};
