// possync dashboard: draws each chart with uPlot from the JSON beside it, and asks before an action
// whose form carries data-confirm. Everything else works without this script.
(function () {
  'use strict';
  function fmtTime(seconds) {
    return new Date(seconds * 1000).toISOString().slice(5, 16).replace('T', ' ');
  }
  // Tick labels as fine as the step between ticks: seconds, minutes, or days with hours.
  function fmtTick(seconds, step) {
    var iso = new Date(seconds * 1000).toISOString();
    if (step < 60) return iso.slice(11, 19);
    if (step < 86400) return iso.slice(11, 16);
    return iso.slice(5, 16).replace('T', ' ');
  }
  function draw(el) {
    var data = JSON.parse(document.getElementById(el.getAttribute('data-chart')).textContent);
    var width = Math.max(260, el.clientWidth || 300);
    var bars = data.kind === 'bars' && window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.6, 40] }) : null;
    var stepped = data.kind === 'steps' && window.uPlot.paths && window.uPlot.paths.stepped ? window.uPlot.paths.stepped({ align: 1 }) : null;
    var opts = {
      width: width,
      height: 200,
      scales: { x: { time: true } },
      axes: [{ values: function (u, ticks, axis, space, step) { return ticks.map(function (t) { return fmtTick(t, step); }); }, space: 60 }, {}],
      series: [{ label: 'Time (UTC)', value: function (u, v) { return v == null ? '' : fmtTime(v); } }].concat(data.series.map(function (s) {
        return { label: s.label, stroke: s.color, width: 2, fill: data.kind === 'bars' ? s.color + '55' : undefined, paths: bars || stepped || undefined };
      })),
    };
    el.textContent = '';
    var plot = new window.uPlot(opts, [data.x].concat(data.series.map(function (s) { return s.values; })), el);
    window.addEventListener('resize', function () { plot.setSize({ width: Math.max(260, el.clientWidth), height: 200 }); });
  }
  function drawAll() {
    if (!window.uPlot) return;
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      try { draw(el); } catch (e) { el.textContent = 'The chart could not be drawn; the table below has the numbers.'; }
    });
  }
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawAll);
  else drawAll();
})();
