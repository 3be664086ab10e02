// Chart.js, registered piece by piece so the bundle carries only the controllers, elements, scales and plugins the
// views use. Series differ by lightness and by fill or line style, never by hue alone, so they read in grey.
import {
  Chart, BarController, LineController, BarElement, LineElement, PointElement,
  CategoryScale, LinearScale, LogarithmicScale, Filler, Legend, Tooltip,
} from 'chart.js';
import { h } from './dom.js';

Chart.register(BarController, LineController, BarElement, LineElement, PointElement, CategoryScale, LinearScale, LogarithmicScale, Filler, Legend, Tooltip);
Chart.defaults.animation = false; // charts redraw on every poll; motion adds nothing and slows tests
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.color = '#222';
Chart.defaults.maintainAspectRatio = false;

export const DARK = '#1d3557';
export const LIGHT = '#e3e3e3';
export const MID = '#6b6b6b';
export const ALERT = '#9b1c1c';

/** Light grey with dark diagonal hatching: the reference's bars, told from the live window's solid dark ones in grey too. */
export function hatch() {
  const size = 8;
  const tile = Object.assign(document.createElement('canvas'), { width: size, height: size });
  const ctx = tile.getContext('2d');
  ctx.fillStyle = LIGHT;
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = '#444';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  ctx.moveTo(-2, 2);
  ctx.lineTo(2, -2);
  ctx.moveTo(size - 2, size + 2);
  ctx.lineTo(size + 2, size - 2);
  ctx.stroke();
  return ctx.createPattern(tile, 'repeat');
}

/**
 * A chart in a sized box. The canvas is an image to assistive technology, labelled by `label`; views put the same
 * numbers in a table or text beside it. The chart is destroyed when the route's signal aborts.
 */
export function chart(label, config, signal, { tall = false } = {}) {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const box = h('div', { class: tall ? 'chart chart-tall' : 'chart' }, canvas);
  // Chart.js needs the canvas in the document to size it: build it on the next frame, after the view is attached.
  requestAnimationFrame(() => {
    if (signal?.aborted || !canvas.isConnected) return;
    const instance = new Chart(canvas, config);
    signal?.addEventListener('abort', () => instance.destroy(), { once: true });
  });
  return box;
}

/** Reference against live shares per bin: hatched light bars against solid dark ones. */
export function histogramChart(name, histogram, signal) {
  return chart(`Share per bin of ${name}: reference (hatched) against live (solid)`, {
    type: 'bar',
    data: {
      labels: histogram.bins,
      datasets: [
        { label: 'Reference', data: histogram.reference, backgroundColor: hatch(), borderColor: '#333', borderWidth: 1 },
        { label: 'Live', data: histogram.live, backgroundColor: DARK, borderColor: DARK, borderWidth: 1 },
      ],
    },
    options: {
      scales: { y: { beginAtZero: true, title: { display: true, text: 'share of rows' } } },
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${(c.parsed.y * 100).toFixed(1)} %` } } },
    },
  }, signal);
}
