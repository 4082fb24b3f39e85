import type { Writable } from 'node:stream';
import type * as grpc from '@grpc/grpc-js';

type Callback = (error?: Error | null) => void;

/** grpc-js's call under a server stream: it frames one message and hands it to the HTTP/2 stream. */
interface MessageSender {
  sendMessage(message: unknown, callback: Callback): void;
}

/**
 * Lets messages queued on a server stream go out together. grpc-js's server stream is a Node
 * Writable without `_writev`: it passes the HTTP/2 stream one message and waits for that write to
 * complete, an event-loop turn, before it passes the next. A busy process then sends a worker about
 * one work item per turn, and each queued item waits for every turn before it. With `_writev`, what
 * queued during a write is handed to the HTTP/2 stream at once (which writes it in one go), in order.
 * When grpc-js's internals differ from what this expects, the stream is left as it is.
 */
export function writeQueuedMessagesTogether(call: grpc.ServerWritableStream<unknown, unknown>): void {
  const sender = (call as unknown as { call?: Partial<MessageSender> }).call;
  if (typeof sender?.sendMessage !== 'function') return;
  const send = sender.sendMessage.bind(sender) as MessageSender['sendMessage'];
  (call as unknown as Writable)._writev = (chunks, callback: Callback) => {
    let left = chunks.length;
    for (const { chunk } of chunks)
      send(chunk, (error) => {
        if (error) callback(error);
        else if (--left === 0) callback();
      });
  };
}
