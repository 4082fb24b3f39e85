// A real OTLP/HTTP receiver for tests and benchmarks: it decodes what OpenTelemetry exporters send
// to /v1/traces, in `http/protobuf` (with the opentelemetry-proto trace definitions below) or
// `http/json`, into plain spans.
import { createServer, type Server } from 'node:http';
import protobuf from 'protobufjs';

/** The messages of opentelemetry-proto's collector/trace/v1, trace/v1, common/v1 and resource/v1. */
const otlpTraceProto = protobuf.Root.fromJSON({
  nested: {
    otlp: {
      nested: {
        ExportTraceServiceRequest: {
          fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } },
        },
        ResourceSpans: {
          fields: {
            resource: { type: 'Resource', id: 1 },
            scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
        ScopeSpans: {
          fields: {
            scope: { type: 'InstrumentationScope', id: 1 },
            spans: { rule: 'repeated', type: 'Span', id: 2 },
            schemaUrl: { type: 'string', id: 3 },
          },
        },
        InstrumentationScope: {
          fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } },
        },
        Span: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
            parentSpanId: { type: 'bytes', id: 4 },
            flags: { type: 'fixed32', id: 16 },
            name: { type: 'string', id: 5 },
            kind: { type: 'int32', id: 6 },
            startTimeUnixNano: { type: 'fixed64', id: 7 },
            endTimeUnixNano: { type: 'fixed64', id: 8 },
            attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
            links: { rule: 'repeated', type: 'Link', id: 13 },
            status: { type: 'Status', id: 15 },
          },
        },
        Link: {
          fields: {
            traceId: { type: 'bytes', id: 1 },
            spanId: { type: 'bytes', id: 2 },
            traceState: { type: 'string', id: 3 },
          },
        },
        Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
        KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
        AnyValue: {
          oneofs: {
            value: {
              oneof: [
                'stringValue',
                'boolValue',
                'intValue',
                'doubleValue',
                'arrayValue',
                'kvlistValue',
                'bytesValue',
              ],
            },
          },
          fields: {
            stringValue: { type: 'string', id: 1 },
            boolValue: { type: 'bool', id: 2 },
            intValue: { type: 'int64', id: 3 },
            doubleValue: { type: 'double', id: 4 },
            arrayValue: { type: 'ArrayValue', id: 5 },
            kvlistValue: { type: 'KeyValueList', id: 6 },
            bytesValue: { type: 'bytes', id: 7 },
          },
        },
        ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
        KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
      },
    },
  },
});
const exportRequest = otlpTraceProto.lookupType('otlp.ExportTraceServiceRequest');

export type AttributeValue = string | number | boolean;

export interface ReceivedSpan {
  readonly service: string;
  readonly scope: string;
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  /** Epoch ms. */
  readonly startMs: number;
  readonly endMs: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. */
  readonly status: { readonly code: number; readonly message: string };
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>;
}

interface RawKeyValue {
  key: string;
  value?: Record<string, unknown>;
}

const hexOf = (value: unknown): string =>
  value === undefined || value === null || value === ''
    ? ''
    : typeof value === 'string'
      ? value.toLowerCase() // OTLP/JSON writes ids as hex
      : Buffer.from(value as Uint8Array).toString('hex');

const numberOf = (value: unknown): number =>
  typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number(String(value));

function valueOf(any: Record<string, unknown> | undefined): AttributeValue {
  if (any === undefined) return '';
  if (any['stringValue'] !== undefined) return String(any['stringValue']);
  if (any['boolValue'] !== undefined) return Boolean(any['boolValue']);
  if (any['intValue'] !== undefined) return numberOf(any['intValue']);
  if (any['doubleValue'] !== undefined) return numberOf(any['doubleValue']);
  return JSON.stringify(any);
}

function attributesOf(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of (list as RawKeyValue[] | undefined) ?? []) out[kv.key] = valueOf(kv.value);
  return out;
}

/** Plain spans of a decoded ExportTraceServiceRequest (protobuf object or OTLP/JSON). */
export function spansOf(request: Record<string, unknown>): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of (request['resourceSpans'] as Array<Record<string, unknown>> | undefined) ??
    []) {
    const resource = attributesOf(
      (resourceSpans['resource'] as Record<string, unknown> | undefined)?.['attributes'],
    );
    for (const scopeSpans of (resourceSpans['scopeSpans'] as Array<Record<string, unknown>> | undefined) ??
      []) {
      const scope = String((scopeSpans['scope'] as Record<string, unknown> | undefined)?.['name'] ?? '');
      for (const span of (scopeSpans['spans'] as Array<Record<string, unknown>> | undefined) ?? []) {
        const status = (span['status'] as Record<string, unknown> | undefined) ?? {};
        spans.push({
          service: String(resource['service.name'] ?? ''),
          scope,
          traceId: hexOf(span['traceId']),
          spanId: hexOf(span['spanId']),
          parentSpanId: hexOf(span['parentSpanId']),
          name: String(span['name']),
          kind: numberOf(span['kind'] ?? 0),
          startMs: numberOf(span['startTimeUnixNano']) / 1e6,
          endMs: numberOf(span['endTimeUnixNano']) / 1e6,
          attributes: attributesOf(span['attributes']),
          status: { code: numberOf(status['code'] ?? 0), message: String(status['message'] ?? '') },
          links: ((span['links'] as Array<Record<string, unknown>> | undefined) ?? []).map((link) => ({
            traceId: hexOf(link['traceId']),
            spanId: hexOf(link['spanId']),
          })),
        });
      }
    }
  }
  return spans;
}

/** Collects spans posted to http://127.0.0.1:<port>/v1/traces; counts other signals' requests. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Requests per path and content type, e.g. `/v1/metrics application/x-protobuf`. */
  readonly requests = new Map<string, number>();
  private server: Server | undefined;
  port = 0;

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const type = String(req.headers['content-type'] ?? '').split(';')[0] ?? '';
        const key = `${req.url ?? ''} ${type}`;
        this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
        try {
          if (req.url === '/v1/traces') {
            const body = Buffer.concat(chunks);
            const decoded =
              type === 'application/json'
                ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>)
                : (exportRequest.toObject(exportRequest.decode(body), {
                    longs: String,
                    bytes: Buffer,
                  }) as Record<string, unknown>);
            this.spans.push(...spansOf(decoded));
          }
          res.writeHead(200, { 'content-type': type === 'application/json' ? 'application/json' : type });
          res.end(type === 'application/json' ? '{}' : '');
        } catch (error) {
          res.writeHead(400, { 'content-type': 'text/plain' });
          res.end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as { port: number }).port;
  }

  /** Spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async waitFor(predicate: (spans: readonly ReceivedSpan[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.spans)) {
      if (Date.now() > deadline)
        throw new Error(
          `spans not received in time; have:\n${this.spans.map((s) => `${s.name} ${s.spanId}<-${s.parentSpanId}`).join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = undefined;
  }
}
