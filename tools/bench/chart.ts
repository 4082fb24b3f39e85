// bench/results/chart.svg: HelloSequence5 throughput and latency per engine and mode, as plain SVG
// (horizontal bars, one panel per figure) so it renders anywhere without a charting dependency.
import type { EngineRuns } from './workloads';

interface Bar {
  readonly series: string;
  readonly value: number | undefined;
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly rows: readonly { readonly label: string; readonly bars: readonly Bar[] }[];
}

const colors: Record<string, string> = {
  'completed/s': '#2f6db5',
  'fan-out activities/s': '#7aa6d9',
  p50: '#3a9a5b',
  p99: '#d9822b',
};

const width = 900;
const labelWidth = 210;
const valueWidth = 90;
const barHeight = 14;
const rowGap = 10;

export function chartSvg(engines: readonly EngineRuns[], subtitle: string): string {
  const panels: Panel[] = [
    {
      title: 'HelloSequence5 throughput, closed loop (higher is better)',
      unit: '/s',
      rows: engines.map((e) => ({
        label: e.engine,
        bars: [{ series: 'completed/s', value: e.helloSequence5?.completedPerSec }],
      })),
    },
    {
      title: 'HelloSequence5 start-to-completion latency, closed loop (lower is better)',
      unit: ' ms',
      rows: engines.map((e) => ({
        label: e.engine,
        bars: [
          { series: 'p50', value: e.helloSequence5?.p50Ms },
          { series: 'p99', value: e.helloSequence5?.p99Ms },
        ],
      })),
    },
    {
      title: 'HelloSequence5 latency, open loop at 70% of each engine’s own throughput (lower is better)',
      unit: ' ms',
      rows: engines.map((e) => ({
        label: `${e.engine}${e.helloSequence5Open === undefined ? '' : ` @${e.helloSequence5Open.rate}/s`}`,
        bars: [
          { series: 'p50', value: e.helloSequence5Open?.p50Ms },
          { series: 'p99', value: e.helloSequence5Open?.p99Ms },
        ],
      })),
    },
    {
      title: `Fan-out/fan-in of ${engines.find((e) => e.fanOutSmall)?.fanOutSmall?.activities ?? ''}, activities completed per second (higher is better)`,
      unit: '/s',
      rows: engines.map((e) => ({
        label: e.engine,
        bars: [
          {
            series: 'fan-out activities/s',
            value:
              e.fanOutSmall === undefined
                ? undefined
                : e.fanOutSmall.completedPerSec * e.fanOutSmall.activities,
          },
        ],
      })),
    },
  ];

  const parts: string[] = [];
  let y = 50;
  for (const panel of panels) {
    const { svg, height } = panelSvg(panel, y);
    parts.push(svg);
    y += height + 20;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${y}" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="bold">Durable vs. peer: same machine, same run</text>`,
    `<text x="10" y="40" fill="#555">${escape(subtitle)}</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function panelSvg(panel: Panel, top: number): { svg: string; height: number } {
  const max = Math.max(1, ...panel.rows.flatMap((r) => r.bars.map((b) => b.value ?? 0)));
  const plotWidth = width - labelWidth - valueWidth - 20;
  const out: string[] = [`<text x="10" y="${top + 16}" font-weight="bold">${escape(panel.title)}</text>`];
  const series = [...new Set(panel.rows.flatMap((r) => r.bars.map((b) => b.series)))];
  series.forEach((s, i) => {
    const x = width - 20 - (series.length - i) * 80;
    out.push(
      `<rect x="${x}" y="${top + 6}" width="10" height="10" fill="${colors[s] ?? '#888'}"/>`,
      `<text x="${x + 14}" y="${top + 15}">${escape(s)}</text>`,
    );
  });
  let y = top + 28;
  for (const row of panel.rows) {
    const rowHeight = row.bars.length * barHeight;
    out.push(
      `<text x="${labelWidth - 8}" y="${y + rowHeight / 2 + 4}" text-anchor="end">${escape(row.label)}</text>`,
    );
    row.bars.forEach((bar, i) => {
      const by = y + i * barHeight;
      if (bar.value === undefined) {
        out.push(`<text x="${labelWidth + 4}" y="${by + barHeight - 3}" fill="#888">not run</text>`);
        return;
      }
      const w = Math.max(1, (bar.value / max) * plotWidth);
      out.push(
        `<rect x="${labelWidth}" y="${by}" width="${w.toFixed(1)}" height="${barHeight - 2}" fill="${colors[bar.series] ?? '#888'}"/>`,
        `<text x="${(labelWidth + w + 4).toFixed(1)}" y="${by + barHeight - 3}">${format(bar.value)}${panel.unit}</text>`,
      );
    });
    y += rowHeight + rowGap;
  }
  out.push(
    `<line x1="${labelWidth}" y1="${top + 24}" x2="${labelWidth}" y2="${y - rowGap + 2}" stroke="#333"/>`,
  );
  return { svg: out.join('\n'), height: y - top };
}

function format(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
