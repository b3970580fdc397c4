import type { AppError } from '@app/common';
import { html, page } from './html';

export function errorPage(error: AppError): string {
  return page(error.code, 'events', html`<h1>${error.status} ${error.code}</h1><p class="note bad" id="error">${error.message}</p><p><a href="/events">Back to the events</a></p>`);
}
