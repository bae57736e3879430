/** A chart as markup: a <figure> the browser script draws with uPlot, and the same numbers as a table for screen readers and no-JS. */
import { html, jsonScript, type Html } from './html.ts';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** A CSS colour with good contrast on white. */
  color: string;
}

export interface ChartData {
  /** Epoch seconds. */
  x: number[];
  series: ChartSeries[];
  /** 'bars' for counts per hour, 'steps' for a quantity over time. */
  kind: 'bars' | 'steps';
}

let counter = 0;

export function chart(title: string, data: ChartData, xLabel: (x: number) => string): Html {
  const id = `chart-${++counter}`;
  const rows = data.x.map((x, i) => html`<tr><th scope="row">${xLabel(x)}</th>${data.series.map((s) => html`<td>${s.values[i] ?? '–'}</td>`)}</tr>`);
  return html`<figure class="chart">
<figcaption>${title}</figcaption>
<div class="plot" data-chart="${id}" role="img" aria-label="${title}: chart; the same numbers are in the table below"></div>
${jsonScript(id, data)}
<details><summary>${title} as a table</summary>
<div class="scroll"><table><thead><tr><th scope="col">Time (UTC)</th>${data.series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead>
<tbody>${rows}</tbody></table></div></details>
</figure>`;
}

export const hourLabel = (x: number) => `${new Date(x * 1000).toISOString().slice(0, 13).replace('T', ' ')}:00`;
export const timeLabel = (x: number) => `${new Date(x * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;

/** Colours checked against white at ≥ 4.5:1. */
export const COLORS = { good: '#1a7f37', bad: '#b42318', blue: '#1f5fbf', violet: '#6f42c1' } as const;
