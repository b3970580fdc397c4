/** What every template's HTML part shares: escaping and one plain, mail-client-safe layout. */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and attribute values. Every variable goes through it. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A single-column layout with inline styles (mail clients ignore <style> blocks and external CSS). */
export function layout(title: string, bodyHtml: string): string {
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<title>${escapeHtml(title)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#1f2933">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:6px;padding:24px">',
    bodyHtml,
    '<p style="margin-top:32px;font-size:12px;color:#7b8794">Sent by hookline</p>',
    '</div></body></html>',
  ].join('\n');
}
