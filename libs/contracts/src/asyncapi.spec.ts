import { readFile } from 'node:fs/promises';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import {
  ARTICLE_CLOUD_EVENT_TYPES,
  CLOUD_EVENT_HEADER_NAMES,
  EVENT_SCHEMAS_BY_CE_TYPE,
  NEWSROOM_TOPICS,
  REACTION_CLOUD_EVENT_TYPES,
} from './index.js';
import { buildAsyncApiDocument, renderAsyncApiYaml } from './schemas/asyncapi-document.js';

const ASYNCAPI_FILE = new URL('../../../asyncapi.yaml', import.meta.url);

const describeDiagnostic = (diagnostic: Diagnostic) =>
  `${DiagnosticSeverity[diagnostic.severity]} ${diagnostic.code} at ${diagnostic.path.join('.')}: ${diagnostic.message}`;

describe('asyncapi.yaml', () => {
  let committed: string;
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Diagnostic[];
  let parsedSource: unknown;

  beforeAll(async () => {
    committed = await readFile(ASYNCAPI_FILE, 'utf8');
    const output = await new Parser().parse(committed);
    diagnostics = output.diagnostics;
    document = output.document!;
    // The YAML as the parser read it, before it resolved any $ref.
    parsedSource = (output.extras?.document as { data?: unknown } | undefined)?.data;
  });

  it('is what `npm run contracts:asyncapi` generates from the schemas (run it after changing them)', () => {
    expect(committed).toBe(renderAsyncApiYaml());
  });

  it('reads back as exactly the document it was written from', () => {
    expect(parsedSource).toEqual(buildAsyncApiDocument());
  });

  it('is a valid AsyncAPI 3.0.0 document: no errors, and no warnings either', () => {
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map(describeDiagnostic)).toEqual([]);
    expect(diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map(describeDiagnostic)).toEqual([]);
    expect(document).toBeDefined();
    expect(document.version()).toBe('3.0.0');
  });

  it('has the two topics, with a message per ce_type', () => {
    const addresses = document.channels().all().map((channel) => channel.address());
    expect(addresses.sort()).toEqual([NEWSROOM_TOPICS.articles, NEWSROOM_TOPICS.reactions].sort());

    const messagesOf = (address: string) =>
      document.channels().all().find((channel) => channel.address() === address)!.messages().all().map((message) => message.name());
    expect(messagesOf(NEWSROOM_TOPICS.articles).sort()).toEqual(Object.values(ARTICLE_CLOUD_EVENT_TYPES).sort());
    expect(messagesOf(NEWSROOM_TOPICS.reactions).sort()).toEqual(Object.values(REACTION_CLOUD_EVENT_TYPES).sort());
  });

  it('says Newsroom sends every message, keyed by article id', () => {
    const operations = document.operations().all();
    expect(operations.map((operation) => operation.action())).toEqual(['send', 'send']);
    expect(operations.flatMap((operation) => operation.messages().all()).length).toBe(13 + 3);
    for (const message of document.messages().all()) {
      const kafka = message.bindings().get('kafka');
      expect({ message: message.name(), key: kafka?.value().key }).toEqual({
        message: message.name(),
        key: expect.objectContaining({ type: 'string', format: 'uuid' }),
      });
    }
  });

  it('gives every message the CloudEvents headers, its ce_type, and its payload schema', () => {
    for (const message of document.messages().all()) {
      const ceType = message.name()!;
      const headers = message.headers()!.json() as { allOf: { properties: Record<string, { const?: string }>; required?: string[] }[] };
      const [shared, own] = headers.allOf;
      expect({ ceType, required: shared.required }).toEqual({ ceType, required: [...CLOUD_EVENT_HEADER_NAMES] });
      expect(own.properties.ce_type.const).toBe(ceType);

      const { $schema: _dialect, ...payloadSchema } = EVENT_SCHEMAS_BY_CE_TYPE[ceType as keyof typeof EVENT_SCHEMAS_BY_CE_TYPE];
      expect(stripParserIds(message.payload()!.json())).toEqual(payloadSchema);
    }
  });
});

/** The parser tags every schema it resolved with x-parser-* ids; compare without them. */
function stripParserIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripParserIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !key.startsWith('x-parser-')).map(([key, inner]) => [key, stripParserIds(inner)]),
  );
}
