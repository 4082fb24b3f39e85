import { Stream, type LogRecord } from '@durable/log';
import { PartitionReader, type FetchControl } from './partition-reader';

const records = (from: number, count: number): LogRecord[] =>
  Array.from({ length: count }, (_, i) => ({
    stream: Stream.Orchestrations,
    partition: 0,
    offset: from + i,
    key: 'k',
    value: String(from + i),
  }));

function fakeControl(end = 0) {
  const calls: string[] = [];
  const control: FetchControl = {
    seek: (p, o) => void calls.push(`seek ${p}@${o}`),
    pause: (p) => void calls.push(`pause ${p}`),
    resume: (p) => void calls.push(`resume ${p}`),
    endOffset: async () => end,
  };
  return { control, calls };
}

describe('PartitionReader', () => {
  it('seeks to the offset asked for, then serves the records the consumer pushes, in order', async () => {
    const { control, calls } = fakeControl();
    const reader = new PartitionReader(Stream.Orchestrations, control);
    const reading = reader.read(0, 5, { maxRecords: 2, waitMs: 1000 });
    reader.push(0, records(5, 3));
    expect((await reading).map((r) => r.offset)).toEqual([5, 6]);
    expect((await reader.read(0, 7, { maxRecords: 10, waitMs: 0 })).map((r) => r.offset)).toEqual([7]);
    expect(calls).toEqual(['seek 0@5']);
  });

  it('seeks again when a reader asks for another offset than the one it follows', async () => {
    const { control, calls } = fakeControl();
    const reader = new PartitionReader(Stream.Orchestrations, control);
    const first = reader.read(0, 0, { maxRecords: 10, waitMs: 1000 });
    reader.push(0, records(0, 3));
    await first;
    const again = reader.read(0, 1, { maxRecords: 10, waitMs: 1000 });
    reader.push(0, records(1, 2));
    expect((await again).map((r) => r.offset)).toEqual([1, 2]);
    expect(calls).toEqual(['seek 0@0', 'seek 0@1']);
  });

  it('drops a batch that skips offsets and seeks back to where the buffer ends', async () => {
    const { control, calls } = fakeControl();
    const reader = new PartitionReader(Stream.Orchestrations, control);
    const reading = reader.read(0, 0, { maxRecords: 10, waitMs: 50 });
    reader.push(0, records(0, 2));
    reader.push(0, records(10, 2));
    expect((await reading).map((r) => r.offset)).toEqual([0, 1]);
    expect(calls).toEqual(['seek 0@0', 'seek 0@2']);
  });

  it('ignores records it already has', async () => {
    const { control } = fakeControl();
    const reader = new PartitionReader(Stream.Orchestrations, control);
    const reading = reader.read(0, 0, { maxRecords: 10, waitMs: 50 });
    reader.push(0, records(0, 2));
    reader.push(0, records(1, 3));
    expect((await reading).map((r) => r.offset)).toEqual([0, 1, 2, 3]);
  });

  it('pauses fetching when the buffer is full and resumes once readers drained it', async () => {
    const { control, calls } = fakeControl();
    const reader = new PartitionReader(Stream.Orchestrations, control);
    const reading = reader.read(0, 0, { maxRecords: 1000, waitMs: 1000 });
    reader.push(0, records(0, 2500));
    expect(calls).toContain('pause 0');
    expect(await reading).toHaveLength(1000);
    expect(calls).not.toContain('resume 0');
    await reader.read(0, 1000, { maxRecords: 1000, waitMs: 0 });
    expect(calls).toContain('resume 0');
  });

  it('waits for records already in the log even when asked not to wait', async () => {
    const { control } = fakeControl(3);
    const reader = new PartitionReader(Stream.Orchestrations, control);
    const reading = reader.read(0, 0, { maxRecords: 10, waitMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    reader.push(0, records(0, 3));
    expect(await reading).toHaveLength(3);
    const empty = fakeControl(0);
    expect(
      await new PartitionReader(Stream.Orchestrations, empty.control).read(0, 0, {
        maxRecords: 10,
        waitMs: 0,
      }),
    ).toEqual([]);
  });

  it('re-seeks every followed partition after its consumer rejoined', async () => {
    const { control, calls } = fakeControl();
    const reader = new PartitionReader(Stream.Orchestrations, control);
    const reading = reader.read(0, 4, { maxRecords: 1, waitMs: 1000 });
    reader.push(0, records(4, 3));
    await reading;
    reader.reseek();
    expect(calls[calls.length - 1]).toBe('seek 0@7');
  });

  it('seeks back when a wait ends empty while the log has records past its position', async () => {
    const { control, calls } = fakeControl(9);
    const reader = new PartitionReader(Stream.Orchestrations, control);
    expect(await reader.read(0, 4, { maxRecords: 10, waitMs: 20 })).toEqual([]);
    expect(calls).toEqual(['seek 0@4', 'seek 0@4']);
    const caughtUp = fakeControl(4);
    const idle = new PartitionReader(Stream.Orchestrations, caughtUp.control);
    expect(await idle.read(0, 4, { maxRecords: 10, waitMs: 20 })).toEqual([]);
    expect(caughtUp.calls).toEqual(['seek 0@4']);
  });
});
