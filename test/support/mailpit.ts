/** Mailpit for tests: started with scripts/mailpit.js on ports of its own, read through its HTTP API. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const script = require('../../scripts/mailpit.js') as {
  start(o: { smtpPort: number; httpPort: number; args?: string[]; max?: number }): Promise<{ pid: number }>;
  stop(o: { httpPort: number }): Promise<unknown>;
};

export interface MailpitMessage {
  ID: string;
  MessageID: string;
  To: { Address: string }[];
  Subject: string;
}

export class TestMailpit {
  constructor(
    readonly smtpPort: number,
    readonly httpPort: number,
  ) {}

  /** Builds Mailpit first when .cache/mailpit has none (go install: minutes, once). */
  static async start(smtpPort: number, httpPort: number, args: string[] = []): Promise<TestMailpit> {
    await script.start({ smtpPort, httpPort, args, max: 0 });
    return new TestMailpit(smtpPort, httpPort);
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  /** Every message in the inbox (the API pages by 500). */
  async messages(): Promise<MailpitMessage[]> {
    const out: MailpitMessage[] = [];
    for (let start = 0; ; start += 500) {
      const res = await fetch(`http://127.0.0.1:${this.httpPort}/api/v1/messages?start=${start}&limit=500`);
      if (!res.ok) throw new Error(`Mailpit API answered ${res.status}`);
      const page = (await res.json()) as { total: number; messages: MailpitMessage[] };
      out.push(...page.messages);
      if (page.messages.length === 0 || out.length >= page.total) return out;
    }
  }

  /** How many messages the inbox holds. */
  async total(): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${this.httpPort}/api/v1/messages?limit=1`);
    if (!res.ok) throw new Error(`Mailpit API answered ${res.status}`);
    return ((await res.json()) as { total: number }).total;
  }

  async stop(): Promise<void> {
    await script.stop({ httpPort: this.httpPort });
  }
}
