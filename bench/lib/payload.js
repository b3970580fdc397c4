'use strict';
/**
 * The benchmark's webhook: a CRM `lead.created` whose JSON body is exactly 1024 bytes, padded with a
 * `custom_fields.notes` string (a field the CRM normalizer drops, as it drops a real CRM's custom fields).
 * Every request gets a distinct, fixed-width event id, so the body length never changes. The lead
 * qualifies (business domain, company of 500, "Head of IT"), so the lead-agent answers with
 * `leads.qualified` and `emails.requested`.
 *
 * Signed like the CRM preset (hex HMAC-SHA256 of the raw body in x-crm-signature); `checkAgainst` proves
 * it against the project's own signRequest once per process.
 */
const crypto = require('node:crypto');

const BODY_BYTES = 1024;
const SEQ_DIGITS = 9;
const SIGNATURE_HEADER = 'x-crm-signature';

/** tag: letters, digits and "-" only (it ends up in ids and email addresses). */
function webhookFactory({ tag, secret }) {
  if (!/^[a-z0-9-]+$/.test(tag)) throw new Error(`payload tag must be [a-z0-9-], got "${tag}"`);
  const width = tag.length + 1 + SEQ_DIGITS;
  const MARK = '~'.repeat(width); // JSON.stringify leaves '~' as it is; nothing else in the template has one
  const doc = (pad) => ({
    id: MARK,
    type: 'lead.created',
    occurred_at: '2026-01-15T09:30:00Z',
    data: {
      id: `lead_${MARK}`,
      email: `ada.${MARK}@analytical-engines.io`,
      first_name: 'Ada',
      last_name: 'Lovelace',
      company: 'Analytical Engines',
      company_size: 500,
      title: 'Head of IT',
      country: 'GB',
      phone: '+44 20 7946 0000',
      source: 'benchmark',
    },
    custom_fields: { notes: pad },
  });
  const bare = Buffer.byteLength(JSON.stringify(doc('')).split(MARK).join('x'.repeat(width)));
  if (bare > BODY_BYTES) throw new Error('payload template exceeds 1 KiB');
  const parts = JSON.stringify(doc('.'.repeat(BODY_BYTES - bare))).split(MARK);

  const idOf = (seq) => `${tag}-${String(seq).padStart(SEQ_DIGITS, '0')}`;
  // A KeyObject made once: createHmac with a Buffer key makes one per call, which costs the load generator more than the hash.
  const key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    idOf,
    /** { id, body, headers } of request number seq (0-based). */
    request(seq) {
      const id = idOf(seq);
      const body = Buffer.from(parts.join(id), 'utf8');
      const signature = crypto.createHmac('sha256', key).update(body).digest('hex');
      return { id, body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature } };
    },
  };
}

/** Throws unless our signing matches the project's signRequest for the CRM preset. */
function checkAgainst(common, factory, secret) {
  const { body, headers } = factory.request(0);
  if (body.length !== BODY_BYTES) throw new Error(`payload is ${body.length} bytes, expected ${BODY_BYTES}`);
  const theirs = common.signRequest(common.SCHEME_PRESETS.crm, secret, body, Date.now());
  if (theirs[SIGNATURE_HEADER] !== headers[SIGNATURE_HEADER]) throw new Error('bench signing disagrees with signRequest (crm preset)');
}

/** Random secrets for every provider the ingress configures (it refuses to start without them). */
function randomSecrets() {
  const r = () => crypto.randomBytes(24).toString('hex');
  return {
    WEBHOOK_SECRET_CRM: r(),
    WEBHOOK_SECRET_SHOP: r(),
    WEBHOOK_SECRET_LOGISTICS: `whsec_${crypto.randomBytes(32).toString('base64')}`,
    WEBHOOK_SECRET_GITHUB: r(),
    WEBHOOK_SECRET_STRIPE: `whsec_${r()}`,
    WEBHOOK_SECRET_SLACK: r(),
  };
}

module.exports = { webhookFactory, checkAgainst, randomSecrets, BODY_BYTES, SIGNATURE_HEADER };
