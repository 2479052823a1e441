// The supervisor dashboard's charts: Chart.js (vendored) draws the figures that the page
// embeds as JSON (#dashboard-charts). Every chart's numbers are also in the table below it,
// so without JavaScript the chart boxes simply stay hidden.
(function () {
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.Chart) return;
  var Chart = window.Chart;
  var PALETTE = ["#0b4f8a", "#d9822b", "#2e7d4f", "#9b1c1c", "#6a4c93", "#1b8a9b", "#8a6d0b", "#5c5c5c"];
  var styles = getComputedStyle(document.documentElement);
  Chart.defaults.font.family = styles.fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#1a1a1a";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function countAxis() {
    return { beginAtZero: true, ticks: { precision: 0 } };
  }

  function config(spec) {
    var sets = spec.datasets.map(function (set, i) {
      return { label: set.label, data: set.data, backgroundColor: PALETTE[i % PALETTE.length], borderWidth: 0,
               maxBarThickness: 32 };
    });
    var legend = { display: sets.length > 1, position: "bottom" };
    if (spec.kind === "doughnut") {
      sets[0].backgroundColor = spec.labels.map(function (_, i) { return PALETTE[i % PALETTE.length]; });
      return { type: "doughnut", data: { labels: spec.labels, datasets: sets },
               options: { plugins: { legend: { display: true, position: "bottom" } } } };
    }
    if (spec.kind === "quota") {
      sets.push({ type: "line", label: spec.quota_label + " (" + spec.quota + ")", borderColor: "#9b1c1c",
                  backgroundColor: "rgba(0, 0, 0, 0)", borderDash: [6, 4], pointRadius: 0, borderWidth: 2,
                  data: spec.labels.map(function () { return spec.quota; }) });
      legend.display = true;
    }
    var horizontal = spec.kind === "hbar";
    var scales = horizontal ? { x: countAxis(), y: { ticks: { autoSkip: false } } }
                            : { x: { ticks: { autoSkip: false } }, y: countAxis() };
    return { type: "bar", data: { labels: spec.labels, datasets: sets },
             options: { indexAxis: horizontal ? "y" : "x", scales: scales, plugins: { legend: legend } } };
  }

  JSON.parse(source.textContent).forEach(function (spec) {
    var canvas = document.getElementById("chart-" + spec.id);
    if (!canvas) return;
    var box = canvas.parentNode;
    box.hidden = false;
    if (spec.kind === "hbar") box.style.height = Math.max(140, 30 * spec.labels.length + 40) + "px";
    new Chart(canvas, config(spec));
    canvas.setAttribute("data-drawn", "true");
  });
})();
