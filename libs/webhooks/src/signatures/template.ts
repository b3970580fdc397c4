/**
 * The signed-content template ('{body}', 'v0:{timestamp}:{body}', ...). It is
 * rendered to bytes, never to a string, so the raw body is signed exactly as
 * received: decoding it as text would alter invalid UTF-8 sequences.
 */

export type TemplatePart =
  | { kind: 'literal'; bytes: Buffer }
  | { kind: 'body' }
  | { kind: 'timestamp' };

export interface SignedTemplate {
  parts: readonly TemplatePart[];
  usesTimestamp: boolean;
}

const PLACEHOLDER = /(\{body\}|\{timestamp\})/;
const ANY_PLACEHOLDER = /\{[A-Za-z_]*\}/;

/** Parses once at configuration time; throws on templates that would be unsafe or mistyped. */
export function compileTemplate(template: string): SignedTemplate {
  const parts = template.split(PLACEHOLDER).filter((piece) => piece !== '').map(toPart);
  const typo = parts.find((part) => part.kind === 'literal' && ANY_PLACEHOLDER.test(part.bytes.toString()));
  if (typo) throw new Error(`signedContent has an unknown placeholder: '${template}'`);
  // A template without {body} would sign something other than the payload.
  if (!parts.some((part) => part.kind === 'body')) {
    throw new Error(`signedContent must contain {body}: '${template}'`);
  }
  return { parts, usesTimestamp: parts.some((part) => part.kind === 'timestamp') };
}

function toPart(piece: string): TemplatePart {
  if (piece === '{body}') return { kind: 'body' };
  if (piece === '{timestamp}') return { kind: 'timestamp' };
  return { kind: 'literal', bytes: Buffer.from(piece, 'utf8') };
}

export function renderTemplate(template: SignedTemplate, timestamp: string, rawBody: Buffer): Buffer {
  if (template.parts.length === 1) return rawBody; // '{body}' alone: the body itself, not a copy
  return Buffer.concat(
    template.parts.map((part) => {
      if (part.kind === 'body') return rawBody;
      if (part.kind === 'timestamp') return Buffer.from(timestamp, 'utf8');
      return part.bytes;
    }),
  );
}
