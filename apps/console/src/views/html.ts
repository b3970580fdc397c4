/**
 * HTML built from tagged templates: every interpolated value is escaped unless it is itself Html. Event
 * data, ids, keys and error texts come from outside and are never trusted as markup.
 */
export class Html {
  constructor(readonly text: string) {}
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return escapeHtml(String(value));
  return escapeHtml(JSON.stringify(value) ?? '');
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new Html(out);
}

/** A query string from the non-empty values. */
export function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  const sign = ms < 0 ? '−' : '';
  const a = Math.abs(ms);
  if (a < 1000) return `${sign}${a} ms`;
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} s`;
  return `${sign}${Math.floor(a / 60_000)} min ${Math.round((a % 60_000) / 1000)} s`;
}

/** ISO time shown as YYYY-MM-DD HH:MM:SS.mmm (UTC). */
export function shortTime(iso: string | undefined): string {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/Z$/, '');
}

const CSS = `
:root{--fg:#1d232b;--muted:#667085;--line:#e4e7ec;--bg:#f8f9fb;--accent:#2f5fd0;--ok:#12805c;--warn:#b54708;--bad:#c01048}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;gap:24px;align-items:center;padding:10px 24px;background:#101828;color:#fff}
header b{font-size:16px;letter-spacing:.3px}header a{color:#d0d5dd;text-decoration:none}header a.on{color:#fff;border-bottom:2px solid #7fa2ff}
main{padding:18px 24px;overflow-x:auto}h1{font-size:19px;margin:4px 0 14px}h2{font-size:15px;margin:22px 0 8px}
a{color:var(--accent)}code,.mono{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}th{background:#f2f4f7;font-weight:600;font-size:12.5px;color:#344054}
td.wrap{min-width:150px;max-width:210px;word-break:break-all}td.preview{color:#475467;max-width:260px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
form.search{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin-bottom:14px;background:#fff;border:1px solid var(--line);padding:10px}
form.search label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
input,select,button{font:inherit;padding:5px 8px;border:1px solid #d0d5dd;border-radius:6px;background:#fff}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}button.secondary{background:#fff;color:var(--accent)}
.muted{color:var(--muted)}.note{padding:8px 12px;border-radius:6px;margin:0 0 12px;background:#eef4ff;border:1px solid #c7d7fe}
.note.warn{background:#fffaeb;border-color:#fedf89}.note.bad{background:#fff1f3;border-color:#fecdd6}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#f2f4f7}
.badge.ok{background:#ecfdf3;color:var(--ok)}.badge.warn{background:#fffaeb;color:var(--warn)}.badge.bad{background:#fff1f3;color:var(--bad)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:12px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 14px}.card h2{margin:0 0 8px}
.timeline .row{display:grid;grid-template-columns:minmax(360px,1.3fr) 1fr;gap:12px;padding:7px 10px;border-bottom:1px solid var(--line);background:#fff}
.timeline .what{display:flex;flex-direction:column}.timeline .hop{color:var(--warn);font-weight:600}
.track{position:relative;height:22px;background:repeating-linear-gradient(90deg,#f2f4f7 0 1px,transparent 1px 10%);margin-top:4px}
.dot{position:absolute;top:4px;width:14px;height:14px;border-radius:50%;background:var(--accent);transform:translateX(-7px)}.dot.dead{background:var(--bad)}
.tick{position:absolute;top:2px;font-size:11px;color:var(--muted);white-space:nowrap}
`;

export type Section = 'events' | 'agents' | 'trace';

export function page(title: string, section: Section, body: Html): string {
  const nav = (href: string, label: string, s: Section) => html`<a href="${href}" class="${section === s ? 'on' : ''}">${label}</a>`;
  return `<!doctype html>${
    html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · hookline console</title><style>${new Html(CSS)}</style></head>
<body><header><b>hookline</b>${nav('/events', 'Events', 'events')}${nav('/agents', 'Agents', 'agents')}
<form action="/trace" method="get" style="margin-left:auto"><input name="id" placeholder="trace an event id" aria-label="event id to trace" size="34"></form></header>
<main>${body}</main></body></html>`.text
  }`;
}
