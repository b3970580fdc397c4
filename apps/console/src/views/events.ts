import { eventTime, type EventRecord } from '@app/kafka';
import type { RecentEvents } from '../console-reader';
import { html, page, qs, shortTime } from './html';

export interface EventsPageInput {
  result: RecentEvents;
  /** Every event topic, for the topic choice. */
  known: string[];
  /** The topic chosen; undefined for all of them. */
  topic?: string;
  limit: number;
  recentOffsets: number;
}

function row(e: EventRecord) {
  return html`<tr data-event-id="${e.id ?? ''}">
<td class="mono">${shortTime(eventTime(e))}</td>
<td>${e.type ?? html`<span class="badge warn">not a CloudEvent</span>`}</td>
<td class="mono wrap">${e.id ? html`<a href="/trace/${encodeURIComponent(e.id)}">${e.id}</a>` : '-'}</td>
<td class="mono wrap">${e.subject ?? ''}</td>
<td class="mono wrap">${e.key ?? ''}</td>
<td class="mono">${e.topic}/${e.partition}@${e.offset}</td>
<td class="mono wrap">${e.causationId ? html`<a href="/trace/${encodeURIComponent(e.causationId)}">${e.causationId}</a>` : ''}</td>
<td class="preview mono" title="${e.preview}">${e.preview}</td></tr>`;
}

export function eventsPage(input: EventsPageInput): string {
  const { result, known, topic, limit } = input;
  const q = result.query;
  const option = (value: string, label: string) => html`<option value="${value}" ${value === (topic ?? '') ? html`selected` : ''}>${label}</option>`;
  const body = html`<h1>Recent events ${topic ? html`on <code>${topic}</code>` : 'on every event topic'}</h1>
<form class="search" method="get" action="/events">
<label>topic<select name="topic">${option('', 'all event topics')}${known.map((t) => option(t, t))}</select></label>
<label>id or delivery id<input name="id" value="${q.id ?? ''}" size="28"></label>
<label>type<input name="type" value="${q.type ?? ''}" size="18"></label>
<label>subject<input name="subject" value="${q.subject ?? ''}" size="22"></label>
<label>key<input name="key" value="${q.key ?? ''}" size="22"></label>
<label>show<input name="limit" value="${limit}" size="4"></label>
<button type="submit">Search</button> <a href="/events${qs({ topic })}">clear</a></form>
${result.complete ? '' : html`<p class="note warn">The read stopped at its deadline before the end of every partition (an open transaction holds read_committed readers back): the list may miss the newest records.</p>`}
<p class="muted">${result.events.length} shown of ${result.scanned} records read (the last ${input.recentOffsets} offsets of each partition of ${result.topics.length} topic${result.topics.length === 1 ? '' : 's'}), newest first. Click an id for its trace.</p>
<table id="events"><thead><tr><th>time</th><th>type</th><th>id</th><th>subject</th><th>key</th><th>topic/partition@offset</th><th>caused by</th><th>data</th></tr></thead>
<tbody>${result.events.length > 0 ? result.events.map(row) : html`<tr><td colspan="8" class="muted">No event matches.</td></tr>`}</tbody></table>`;
  return page('Events', 'events', body);
}
