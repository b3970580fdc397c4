/**
 * One line for a thrown value, with its cause: "fetch failed: connect ECONNREFUSED 127.0.0.1:3000".
 * Duck-typed, because fetch's errors may come from another realm and fail `instanceof Error`.
 */
export function describeError(e: unknown): string {
  const message = (v: unknown): string | undefined =>
    v !== null && typeof v === 'object' && 'message' in v && typeof v.message === 'string' ? v.message : undefined;
  const cause = e !== null && typeof e === 'object' && 'cause' in e ? message(e.cause) : undefined;
  return [message(e) ?? String(e), cause].filter(Boolean).join(': ');
}
