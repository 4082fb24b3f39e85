import type { Writable } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { writeQueuedMessagesTogether } from './stream-writes';

const bytes = {
  serialize: (message: Buffer) => message,
  deserialize: (message: Buffer) => message,
};

const service = {
  numbers: {
    path: '/test.Numbers/Numbers',
    requestStream: false,
    responseStream: true,
    requestSerialize: bytes.serialize,
    requestDeserialize: bytes.deserialize,
    responseSerialize: bytes.serialize,
    responseDeserialize: bytes.deserialize,
  },
} satisfies grpc.ServiceDefinition;

const Client = grpc.makeGenericClientConstructor(service, 'Numbers');

/** A server whose stream writes `count` numbers in one turn; returns what the queued writes looked like. */
async function serve(count: number, install: boolean): Promise<{ received: number[]; batches: number[] }> {
  const batches: number[] = [];
  const server = new grpc.Server();
  server.addService(service, {
    numbers: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      if (install) {
        writeQueuedMessagesTogether(call as grpc.ServerWritableStream<unknown, unknown>);
        const writable = call as unknown as Writable;
        const writev = writable._writev?.bind(writable);
        if (writev !== undefined)
          writable._writev = (chunks, callback) => {
            batches.push(chunks.length);
            writev(chunks, callback);
          };
      }
      for (let i = 0; i < count; i++) call.write(Buffer.from(String(i)));
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const received: number[] = [];
    const stream = (
      client as unknown as { numbers(request: Buffer): grpc.ClientReadableStream<Buffer> }
    ).numbers(Buffer.alloc(0));
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (message: Buffer) => received.push(Number(message.toString())));
      stream.on('error', reject);
      stream.on('end', resolve);
    });
    return { received, batches };
  } finally {
    client.close();
    server.forceShutdown();
  }
}

describe('writeQueuedMessagesTogether', () => {
  it('hands the messages queued behind a write to the HTTP/2 stream together, all of them, in order', async () => {
    const { received, batches } = await serve(500, true);
    expect(received).toEqual(Array.from({ length: 500 }, (_, i) => i));
    // The first message goes out alone; the 499 queued behind it leave in one or a few batches.
    expect(batches.length).toBeGreaterThan(0);
    expect(batches.reduce((sum, n) => sum + n, 0)).toBe(499);
    expect(Math.max(...batches)).toBeGreaterThan(1);
  });

  it('leaves a stream without it sending the same messages one by one', async () => {
    const { received } = await serve(50, false);
    expect(received).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
