import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Parser } from '@asyncapi/parser';
import { compileErrors, validate } from '@readme/openapi-parser';
import { parse, stringify } from 'yaml';
import { ERRORS, type ErrorCode } from '@app/common';
import { contractFor, topicSpecs, validateAs, type JsonSchema } from '@app/contracts';
import { loadProviderDefinitions } from '@app/webhooks';
import { generateApiDocs, main } from '../../../tools/api-docs/cli';

const ROOT = path.resolve(__dirname, '../../..');
const docs = generateApiDocs(ROOT);
const textOf = (file: string) => docs.find((d) => d.file === file)?.text ?? '';
interface Schema {
  required?: string[];
  properties: Record<string, Schema & JsonSchema>;
}
interface AsyncDoc {
  channels: Record<string, { address: string; bindings: { kafka: unknown } }>;
  components: {
    messages: Record<string, { headers: unknown; payload: unknown; examples: Array<{ payload: unknown }> }>;
    schemas: Record<string, Schema>;
  };
}
interface Param {
  name: string;
  required: boolean;
}
interface Operation {
  parameters: Param[];
  responses: Record<string, unknown>;
}
interface OpenDoc {
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: { ErrorCode: { oneOf: unknown[] } };
    responses: Record<string, { content: Record<string, { examples: Record<string, { value: unknown }> }> }>;
  };
}

const asyncapi = parse(textOf('docs/asyncapi.yaml')) as AsyncDoc;
const openapi = parse(textOf('docs/openapi.yaml')) as OpenDoc;
/** Severity of a parser diagnostic: 0 error, 1 warning, 2 information, 3 hint. */
const severity = (d: { severity: unknown }) => Number(d.severity);

describe('docs/asyncapi.yaml', () => {
  it('is valid AsyncAPI 3.0 for the official parser (@asyncapi/parser): no errors, no warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(textOf('docs/asyncapi.yaml'));
    // Severity 0 is an error, 1 a warning; 2 and 3 are hints (such as "AsyncAPI 3.1 exists": 3.0 is asked for).
    expect(diagnostics.filter((d) => severity(d) <= 1).map((d) => `${d.severity} ${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(document?.channels().all().map((c) => c.address())).toEqual(topicSpecs().map((t) => t.name));
  });

  it('the parser does report errors: a copy whose message reference dangles fails', async () => {
    const broken = structuredClone(asyncapi);
    delete broken.components.messages[Object.keys(broken.components.messages)[0]];
    const { diagnostics } = await new Parser().parse(stringify(broken));
    expect(diagnostics.filter((d) => severity(d) === 0).length).toBeGreaterThan(0);
  });

  it.each(topicSpecs().map((t) => [t.name, t] as const))('%s: a channel with its Kafka settings, a message with its contract and a valid example', (name, spec) => {
    const [id, channel] = Object.entries(asyncapi.channels).find(([, c]) => c.address === name) ?? ['', undefined];
    expect(channel?.bindings.kafka).toMatchObject({ topic: name, partitions: spec.partitions, topicConfiguration: { 'cleanup.policy': [spec.cleanupPolicy] } });
    const message = asyncapi.components.messages[id];
    expect(message.headers).toEqual({ $ref: '#/components/schemas/CloudEventHeaders' });
    const contract = contractFor(name);
    const example = message.examples[0].payload;
    if (contract) {
      expect(message.payload).toEqual({ $ref: `#/components/schemas/${contract.name}` });
      expect(asyncapi.components.schemas[contract.name].properties).toBeDefined();
      // The example the document shows passes the runtime's own validation of the topic's records.
      expect(validateAs(contract, example)).toMatchObject({ ok: true });
    } else {
      expect(message.payload).toMatchObject({ type: 'object' });
    }
  });

  it('derives each payload schema from the validators: required fields, enums, patterns, nested contracts', () => {
    const order = asyncapi.components.schemas.Order;
    expect(order.required).toEqual(['orderId', 'customer', 'currency', 'total', 'lines', 'shippingAddress']);
    expect(order.properties.lines).toMatchObject({ type: 'array', minItems: 1, maxItems: 500, items: { title: 'OrderLine', required: ['sku', 'title', 'quantity', 'unitPrice'] } });
    expect(order.properties.total).toEqual({ type: 'string', pattern: '^\\d{1,12}(\\.\\d{1,4})?$' });
    expect(asyncapi.components.schemas.Lead.required).toEqual(['crmId', 'email']);
    expect(asyncapi.components.schemas.Lead.properties.email).toEqual({ maxLength: 320, type: 'string', format: 'email' });
    expect(asyncapi.components.schemas.ShipmentUpdate.properties.status).toEqual({ type: 'string', enum: ['in_transit', 'shipped', 'delivered', 'exception'] });
  });
});

describe('docs/openapi.yaml', () => {
  it('is valid OpenAPI 3.1 for @readme/openapi-parser: no errors, no warnings', async () => {
    const result = await validate(parse(textOf('docs/openapi.yaml')) as never);
    expect(result.valid ? [] : compileErrors(result)).toEqual([]);
    expect(result.warnings).toEqual([]);
  });

  it('the validator does report errors: a copy with a response code that is not a status fails', async () => {
    const broken = structuredClone(openapi);
    broken.paths['/metrics'].get.responses = { ok: broken.paths['/metrics'].get.responses['200'] };
    const result = await validate(broken as never);
    expect(result.valid).toBe(false);
  });

  it.each(Object.entries(ERRORS) as Array<[ErrorCode, (typeof ERRORS)[ErrorCode]]>)('catalogue code %s: in ErrorCode, and an example of its status on every webhook route', (code, e) => {
    expect(openapi.components.schemas.ErrorCode.oneOf).toContainEqual(expect.objectContaining({ const: code }));
    const response = openapi.components.responses[`Error${e.status}`];
    expect(response.content['application/json'].examples[code].value).toEqual({ error: { code, message: e.message } });
    for (const route of Object.keys(openapi.paths).filter((p) => p.startsWith('/webhooks/'))) {
      expect(openapi.paths[route].post.responses[String(e.status)]).toEqual({ $ref: `#/components/responses/Error${e.status}` });
    }
  });

  it.each([...loadProviderDefinitions(path.join(ROOT, 'config/providers.yaml')).keys()])('provider %s: its POST /webhooks route, with its signature headers required', (provider) => {
    const route = openapi.paths[`/webhooks/${provider}`];
    expect(route.post.responses['202']).toBeDefined();
    expect(route.post.parameters.filter((p) => p.required).length).toBeGreaterThan(0);
  });

  it.each([
    ['crm', ['x-crm-signature']],
    ['shop', ['x-shopify-hmac-sha256']],
    ['github', ['x-hub-signature-256']],
    ['slack', ['x-slack-signature', 'x-slack-request-timestamp']],
    ['stripe', ['stripe-signature']],
    ['logistics', ['webhook-id', 'webhook-timestamp', 'webhook-signature']],
  ])('%s requires exactly the headers its scheme signs with: %j', (provider, headers) => {
    const params = openapi.paths[`/webhooks/${provider}`].post.parameters;
    expect(params.filter((p) => p.required).map((p) => p.name).sort()).toEqual([...headers].sort());
  });

  it('documents health and metrics', () => {
    expect(Object.keys(openapi.paths).filter((p) => !p.startsWith('/webhooks/'))).toEqual(['/health/live', '/health/ready', '/metrics']);
  });
});

describe('npm run docs:api', () => {
  let dir: string;
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, o: (l: string) => out.push(l), e: (l: string) => err.push(l) };
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'api-docs-'));
    for (const f of ['package.json', 'config/providers.yaml']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    }
    fs.mkdirSync(path.join(dir, 'docs'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes both documents, then --check passes; an edited document fails --check with exit 1', () => {
    const check = io();
    expect(main(['--check'], dir, check.o, check.e)).toBe(1);
    expect(check.err).toEqual([
      'docs:api: docs/asyncapi.yaml differs from the registries it is generated from: run npm run docs:api and commit it',
      'docs:api: docs/openapi.yaml differs from the registries it is generated from: run npm run docs:api and commit it',
    ]);
    const write = io();
    expect(main([], dir, write.o, write.e)).toBe(0);
    expect(write.out).toEqual([expect.stringMatching(/^docs:api: wrote docs\/asyncapi\.yaml \(\d+ lines\)$/), expect.stringMatching(/^docs:api: wrote docs\/openapi\.yaml \(\d+ lines\)$/)]);
    const again = io();
    expect(main(['--check'], dir, again.o, again.e)).toBe(0);
    expect(again.out).toEqual(['docs:api: docs/asyncapi.yaml, docs/openapi.yaml up to date']);
    fs.appendFileSync(path.join(dir, 'docs/openapi.yaml'), '# edited by hand\n');
    const edited = io();
    expect(main(['--check'], dir, edited.o, edited.e)).toBe(1);
    expect(edited.err).toEqual(['docs:api: docs/openapi.yaml differs from the registries it is generated from: run npm run docs:api and commit it']);
  });

  it('reads the providers file: a provider added there gets its route', () => {
    fs.appendFileSync(path.join(dir, 'config/providers.yaml'), '\n  billing:\n    signature: { preset: stripe }\n    events:\n      "*": { topic: webhooks.billing }\n');
    const openapiText = generateApiDocs(dir).find((d) => d.file === 'docs/openapi.yaml')?.text ?? '';
    const doc = parse(openapiText) as { paths: Record<string, { post: { parameters: Array<{ name: string; required: boolean }> } }> };
    expect(doc.paths['/webhooks/billing'].post.parameters.filter((p) => p.required).map((p) => p.name)).toEqual(['stripe-signature']);
  });

  it('refuses an unknown argument with exit 2', () => {
    const r = io();
    expect(main(['--fix'], dir, r.o, r.e)).toBe(2);
    expect(r.err.join('\n')).toContain('unknown argument "--fix"');
  });
});
