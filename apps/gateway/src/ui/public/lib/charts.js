/* Charts: uPlot (a kept library, served by the gateway from node_modules, never a CDN) for curves over time,
 * plain SVG for the small pictures. Colours come from the CSS variables, so light and dark both work. */
import { h, svg } from './dom.js';
import { fmtDuration } from './format.js';

let uPlotPromise;
function loadUPlot() {
  uPlotPromise ??= import('/vendor/uplot/uPlot.esm.js').then((m) => m.default);
  return uPlotPromise;
}

/**
 * A theme colour as the canvas needs it (rgb). The variables hold `light-dark(…, …)`, which only a CSS
 * property resolves: a hidden probe takes the colour and the computed style gives it back resolved.
 */
export function cssVar(name) {
  const probe = document.createElement('span');
  probe.style.display = 'none';
  probe.style.color = `var(${name}, #888)`;
  document.body.append(probe);
  const color = getComputedStyle(probe).color;
  probe.remove();
  return color || '#888';
}

/**
 * A line chart over time: `series` = [{ label, values, scale, color }], `x` = seconds. Returns the element
 * (sized to its container); the chart is drawn once uPlot has loaded. `describe` is the text alternative.
 */
export function timeChart({ x, series, height = 220, describe }) {
  const box = h('figure', { class: 'chart' }, h('figcaption', { class: 'visually-hidden' }, describe));
  const holder = h('div', { class: 'chart-area', role: 'img', 'aria-label': describe });
  box.append(holder);
  void loadUPlot().then((uPlot) => {
    const width = Math.max(300, holder.clientWidth || box.clientWidth || 800);
    const scales = { x: { time: false } };
    const axes = [
      {
        stroke: cssVar('--muted'),
        grid: { stroke: cssVar('--border') },
        values: (_u, ticks) => ticks.map((t) => fmtDuration(t)),
      },
    ];
    const seen = new Set();
    for (const s of series) {
      if (seen.has(s.scale)) continue;
      seen.add(s.scale);
      scales[s.scale] = {};
      axes.push({
        scale: s.scale,
        label: s.axisLabel || s.label,
        side: seen.size === 1 ? 3 : 1,
        stroke: cssVar('--muted'),
        grid: { show: seen.size === 1, stroke: cssVar('--border') },
      });
    }
    const plot = new uPlot(
      {
        width,
        height,
        scales,
        axes,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        series: [
          { label: 'Time', value: (_u, v) => (v === null || v === undefined ? '—' : fmtDuration(v)) },
          ...series.map((s) => ({
            label: s.label,
            scale: s.scale,
            stroke: s.color || cssVar('--accent'),
            width: 2,
            spanGaps: false,
            value: (_u, v) => (v === null || v === undefined ? '—' : s.format ? s.format(v) : String(v)),
          })),
        ],
      },
      [x, ...series.map((s) => s.values)],
      holder,
    );
    box.chart = plot;
  });
  return box;
}

/** A horizontal bar of segments over a total length: [{ start, end, label, href?, tone? }]. */
export function timelineBar(total, segments, describe) {
  const bar = h('div', { class: 'timeline-bar', role: 'list', 'aria-label': describe });
  for (const seg of segments) {
    const left = (Math.max(0, seg.start) / total) * 100;
    const width = (Math.max(0.5, seg.end - seg.start) / total) * 100;
    const text = `${fmtDuration(seg.start)}–${fmtDuration(seg.end)} ${seg.label}`;
    const el = seg.href
      ? h(
          'a',
          { href: seg.href, class: `segment ${seg.tone || ''}`, title: text, role: 'listitem' },
          h('span', null, seg.label),
        )
      : h('span', { class: `segment ${seg.tone || ''}`, title: text, role: 'listitem' }, h('span', null, seg.label));
    el.style.left = `${left}%`;
    el.style.width = `${Math.min(100 - left, width)}%`;
    bar.append(el);
  }
  return bar;
}

/** Vertical bars in SVG: [{ label, value, title }]. */
export function barChart(items, { height = 160, describe, format = String } = {}) {
  const max = Math.max(1, ...items.map((i) => i.value));
  const w = 100 / Math.max(1, items.length);
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 100 ${height / 4}`,
      preserveAspectRatio: 'none',
      class: 'bars-svg',
      role: 'img',
      'aria-label': describe,
    },
    items.map((item, i) => {
      const bh = (item.value / max) * (height / 4 - 1);
      return svg(
        'rect',
        { x: i * w + w * 0.1, y: height / 4 - bh, width: w * 0.8, height: bh, class: 'bar-rect' },
        svg('title', null, item.title || `${item.label}: ${format(item.value)}`),
      );
    }),
  );
  return h('div', { class: 'bar-chart' }, chart);
}

/** The Camelot wheel: 12 outer (B, major) and 12 inner (A, minor) segments, shaded by count. */
export function camelotWheel(counts, { describe, hrefFor } = {}) {
  const max = Math.max(1, ...Object.values(counts));
  const size = 260;
  const c = size / 2;
  const ring = (r0, r1, i) => {
    // 1 at the top, clockwise, as on the printed wheel.
    const a0 = ((i - 0.5) / 12) * 2 * Math.PI - Math.PI / 2;
    const a1 = ((i + 0.5) / 12) * 2 * Math.PI - Math.PI / 2;
    const p = (r, a) => `${(c + r * Math.cos(a)).toFixed(2)} ${(c + r * Math.sin(a)).toFixed(2)}`;
    return `M ${p(r1, a0)} A ${r1} ${r1} 0 0 1 ${p(r1, a1)} L ${p(r0, a1)} A ${r0} ${r0} 0 0 0 ${p(r0, a0)} Z`;
  };
  const label = (r, i) => {
    const a = (i / 12) * 2 * Math.PI - Math.PI / 2;
    return { x: c + r * Math.cos(a), y: c + r * Math.sin(a) };
  };
  const parts = [];
  for (const [letter, r0, r1] of [
    ['B', 82, 126],
    ['A', 40, 80],
  ]) {
    for (let i = 0; i < 12; i++) {
      const code = `${i + 1}${letter}`;
      const n = counts[code] || 0;
      const shade = n ? 0.15 + 0.85 * (n / max) : 0;
      const title = `${code}: ${n.toLocaleString()} file${n === 1 ? '' : 's'}`;
      const path = svg('path', { d: ring(r0, r1, i), class: 'wheel-seg' }, svg('title', null, title));
      path.style.fillOpacity = String(shade);
      const at = label((r0 + r1) / 2, i);
      const text = svg('text', { x: at.x.toFixed(1), y: at.y.toFixed(1), class: 'wheel-label' }, code);
      const group =
        hrefFor && n ? svg('a', { href: hrefFor(code), 'aria-label': title }, path, text) : svg('g', null, path, text);
      parts.push(group);
    }
  }
  return svg('svg', { viewBox: `0 0 ${size} ${size}`, class: 'wheel', role: 'group', 'aria-label': describe }, parts);
}
