import { Stream, type Membership } from '@durable/log';
import { PartitionProcessor, type ProcessorDeps } from './partition-processor';

/**
 * An orchestration worker: joins the workers' consumer group and runs one PartitionProcessor per
 * partition it owns, starting and stopping them as ownership moves.
 */
export class OrchestrationWorker {
  private readonly processors = new Map<number, PartitionProcessor>();
  private membership: Membership | undefined;

  constructor(private readonly deps: ProcessorDeps) {}

  async start(): Promise<void> {
    this.membership = await this.deps.log.join(this.deps.group, Stream.Orchestrations, {
      assigned: async (partitions) => {
        await Promise.all(
          partitions.map(async ({ partition, epoch }) => {
            const processor = new PartitionProcessor(partition, epoch, this.deps);
            this.processors.set(partition, processor);
            await processor.start();
          }),
        );
      },
      revoked: async (partitions) => {
        await Promise.all(
          partitions.map(async (partition) => {
            const processor = this.processors.get(partition);
            this.processors.delete(partition);
            await processor?.stop();
          }),
        );
      },
    });
  }

  get ownedPartitions(): number[] {
    return [...this.processors.keys()].sort((a, b) => a - b);
  }

  /** Instances whose state is cached in memory, over all owned partitions. */
  get cachedInstances(): number {
    let total = 0;
    for (const processor of this.processors.values()) total += processor.cachedInstances;
    return total;
  }

  async stop(): Promise<void> {
    await this.membership?.leave();
    this.membership = undefined;
  }
}
