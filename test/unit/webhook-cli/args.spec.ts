import { parseArgs, UsageError } from '../../../tools/webhook/args';

describe('webhook CLI arguments', () => {
  it('parses a send with every option, in either --opt value or --opt=value form', () => {
    expect(parseArgs(['send', 'shop', 'orders/create', '--count', '3', '--duplicate', '--bad-signature', '--stale', '--url=http://localhost:3001/', '--file', 'x.json'])).toEqual({
      kind: 'send',
      options: { provider: 'shop', event: 'orders/create', count: 3, duplicate: true, badSignature: true, stale: true, url: 'http://localhost:3001', file: 'x.json' },
    });
  });

  it('defaults to one event to the local ingress', () => {
    expect(parseArgs(['send', 'crm', 'lead.created'])).toEqual({
      kind: 'send',
      options: { provider: 'crm', event: 'lead.created', count: 1, duplicate: false, badSignature: false, stale: false, url: 'http://127.0.0.1:3000' },
    });
  });

  it.each([[[]], [['--help']], [['send', 'crm', '-h']]])('shows help for %j', (argv) => {
    expect(parseArgs(argv)).toEqual({ kind: 'help' });
  });

  it('accepts any event name with --file', () => {
    expect(parseArgs(['send', 'github', 'issues', '--file', 'issue.json'])).toMatchObject({ options: { event: 'issues', file: 'issue.json' } });
  });

  it.each([
    [['post', 'crm'], 'unknown command "post": the only command is "send"'],
    [['send'], 'missing <provider>: one of crm, shop, logistics, github, stripe, slack'],
    [['send', 'nope', 'x'], 'unknown provider "nope" (known: crm, shop, logistics, github, stripe, slack)'],
    [['send', 'logistics'], 'missing <event> for logistics (known: shipment.shipped, shipment.delivered)'],
    [['send', 'crm', 'lead.deleted'], 'unknown event "lead.deleted" for crm (known: lead.created); use --file to send another payload'],
    [['send', 'crm', 'lead.created', '--count', '0'], '--count must be a whole number from 1 to 1000, got "0"'],
    [['send', 'crm', 'lead.created', '--count', 'abc'], '--count must be a whole number from 1 to 1000, got "abc"'],
    [['send', 'crm', 'lead.created', '--count', '2.5'], '--count must be a whole number from 1 to 1000, got "2.5"'],
    [['send', 'crm', 'lead.created', '--count=1001'], '--count must be a whole number from 1 to 1000, got "1001"'],
    [['send', 'crm', 'lead.created', '--count'], '--count needs a value'],
    [['send', 'crm', 'lead.created', '--url', 'ftp://x'], '--url must be an http(s) base URL such as http://127.0.0.1:3000, got "ftp://x"'],
    [['send', 'crm', 'lead.created', '--retry'], 'unknown option "--retry"'],
    [['send', 'crm', 'lead.created', '--duplicate=yes'], '--duplicate takes no value'],
    [['send', 'crm', 'lead.created', 'extra'], 'unexpected argument "extra"'],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(new UsageError(message));
  });
});
