import { useEffect, useRef, type ReactNode } from 'react';
import uPlot from 'uplot';

/** Started / completed / failed per second, drawn with uPlot (small, fast canvas charts). */
export function ThroughputChart(props: {
  t: number[];
  started: number[];
  completed: number[];
  failed: number[];
}): ReactNode {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>(undefined);
  useEffect(() => {
    if (box.current === null) return;
    plot.current = new uPlot(
      {
        width: Math.max(box.current.clientWidth, 300),
        height: 220,
        series: [
          {},
          { label: 'started/s', stroke: '#2563eb' },
          { label: 'completed/s', stroke: '#16a34a' },
          { label: 'failed/s', stroke: '#dc2626' },
        ],
        axes: [{}, { label: 'per second' }],
      },
      [[], [], [], []],
      box.current,
    );
    return () => plot.current?.destroy();
  }, []);
  useEffect(() => {
    plot.current?.setData([props.t, props.started, props.completed, props.failed]);
  }, [props.t, props.started, props.completed, props.failed]);
  return <div ref={box} data-testid="throughput-chart" />;
}
