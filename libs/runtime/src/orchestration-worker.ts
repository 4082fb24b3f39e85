import { Metric, MetricAttr, observeGauge } from '@durable/telemetry';
import { OwnershipLostError } from '@durable/core';
import { Stream, type Membership } from '@durable/log';
import { PartitionProcessor, type ProcessorDeps } from './partition-processor';

/** How long a fenced worker waits before claiming its partition again (a rebalance may explain it). */
const renewDelayMs = 1000;

/**
 * An orchestration worker: joins the workers' consumer group and runs one PartitionProcessor per
 * partition it owns, starting and stopping them as ownership moves.
 */
export class OrchestrationWorker {
  private readonly processors = new Map<number, PartitionProcessor>();
  private membership: Membership | undefined;
  private stopGauges: (() => void) | undefined;
  private readonly processorDeps: ProcessorDeps;

  constructor(private readonly deps: ProcessorDeps) {
    this.processorDeps = { ...deps, onFenced: (partition) => this.fenced(partition) };
  }

  /**
   * A processor was fenced out by a newer epoch. Usually a rebalance took the partition and the group
   * will say so; if after a moment this worker still holds it, a claim raced ahead of ours and the
   * partition would sit idle, so claim it again.
   */
  private fenced(partition: number): void {
    const processor = this.processors.get(partition);
    setTimeout(() => {
      if (this.processors.get(partition) !== processor || this.membership?.renew === undefined) return;
      this.deps.logger.warn('partition fenced while still assigned; claiming it again', { partition });
      this.membership
        .renew(partition)
        .catch((error: unknown) =>
          this.deps.logger.error('claiming the partition again failed', { partition, error: String(error) }),
        );
    }, renewDelayMs);
  }

  async start(): Promise<void> {
    this.stopGauges = this.observeGauges();
    this.membership = await this.deps.log.join(this.deps.group, Stream.Orchestrations, {
      assigned: async (partitions) => {
        await Promise.all(
          partitions.map(async ({ partition, epoch }) => {
            const processor = new PartitionProcessor(partition, epoch, this.processorDeps);
            this.processors.set(partition, processor);
            try {
              await processor.start();
            } catch (error) {
              if (!(error instanceof OwnershipLostError)) throw error;
              this.fenced(partition);
            }
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
    this.stopGauges?.();
    this.stopGauges = undefined;
  }

  /** Per owned partition: the log's end offset less the owner's read position. */
  private async backlogs(): Promise<Array<readonly [number, { [MetricAttr.Partition]: number }]>> {
    const owned = [...this.processors];
    const backlogs = await Promise.all(
      owned.map(async ([partition, processor]) => {
        try {
          const end = await this.deps.log.endOffset(Stream.Orchestrations, partition);
          return [Math.max(0, end - processor.readPosition), { [MetricAttr.Partition]: partition }] as const;
        } catch {
          // The log is briefly unreachable: this collection goes without the partition's backlog.
          return undefined;
        }
      }),
    );
    return backlogs.filter((b) => b !== undefined);
  }

  /**
   * What a scale rule or an alert reads: partitions owned, their backlogs, instances and timers held
   * per partition.
   */
  private observeGauges(): () => void {
    const perPartition = (read: (p: PartitionProcessor) => number) => () =>
      [...this.processors].map(
        ([partition, processor]) => [read(processor), { [MetricAttr.Partition]: partition }] as const,
      );
    const stops = [
      observeGauge(Metric.PartitionsOwned, 'Partitions this worker owns', () => [[this.processors.size]]),
      observeGauge(
        Metric.InstancesInMemory,
        'Instances whose state is cached in memory',
        perPartition((p) => p.cachedInstances),
      ),
      observeGauge(Metric.PartitionBacklog, 'Messages in a partition that its owner has not read yet', () =>
        this.backlogs(),
      ),
      observeGauge(
        Metric.TimersPending,
        'Durable timers armed',
        perPartition((p) => p.pendingTimers),
      ),
    ];
    return () => stops.forEach((stop) => stop());
  }
}
