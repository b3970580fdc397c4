/** What enrichment tells about a lead. A port: swap the offline default for a data provider's API. */
export interface Enrichment {
  domain: string;
  freeMail: boolean;
  disposable: boolean;
  roleAddress: boolean;
}

export interface LeadEnricher {
  enrich(email: string): Promise<Enrichment>;
}

export const LEAD_ENRICHER = Symbol('LEAD_ENRICHER');

const FREE_MAIL = new Set(
  'gmail.com googlemail.com yahoo.com yahoo.co.uk hotmail.com outlook.com live.com msn.com aol.com icloud.com me.com mac.com gmx.de gmx.net web.de proton.me protonmail.com yandex.ru mail.ru zoho.com fastmail.com hey.com'.split(' '),
);
const DISPOSABLE = new Set(
  'mailinator.com 10minutemail.com guerrillamail.com tempmail.com temp-mail.org trashmail.com yopmail.com sharklasers.com getnada.com dispostable.com maildrop.cc throwawaymail.com'.split(' '),
);
const ROLE = new Set('info sales admin support contact hello office noreply no-reply webmaster marketing team billing careers jobs'.split(' '));

/** Offline enrichment from built-in domain lists: no network, deterministic. */
export class OfflineEnricher implements LeadEnricher {
  async enrich(email: string): Promise<Enrichment> {
    const [local = '', domain = ''] = email.trim().toLowerCase().split('@');
    return { domain, freeMail: FREE_MAIL.has(domain), disposable: DISPOSABLE.has(domain), roleAddress: ROLE.has(local.split('+')[0]) };
  }
}
