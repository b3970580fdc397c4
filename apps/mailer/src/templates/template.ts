/** A rendered email: subject, plain-text part and HTML part. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** One email template: which variables it needs, and how it renders them. */
export interface EmailTemplate {
  name: string;
  /** Variables that must be present and non-empty. */
  required: readonly string[];
  render(vars: Readonly<Record<string, string>>): RenderedEmail;
}

/** The request cannot be rendered (unknown template, a missing variable): retrying cannot help. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}
