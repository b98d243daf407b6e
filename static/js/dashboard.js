// Dashboard charts (Chart.js, vendored; shared settings in charts.js). Data comes from the page's
// JSON, never from inline script.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  var blue = "#1f5fa8", green = "#2e7d32", orange = "#b45309", grey = "#6c757d";
  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (canvas) { new Chart(canvas, config); }
  }
  chart("chart-sessions", {
    type: "bar",
    data: {
      labels: data.sessions.map(function (r) { return r.month; }),
      datasets: [
        { label: labels.planned, data: data.sessions.map(function (r) { return r.planned; }), backgroundColor: "#b6c8e3" },
        { label: labels.held, data: data.sessions.map(function (r) { return r.held; }), backgroundColor: blue }
      ]
    },
    options: { responsive: true, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  // Satisfaction (1–5) and NPS (−100 to 100) as two charts, one above the other, each on its own
  // scale (one chart with two scales made the reader guess which value went with which axis).
  // Horizontal bars: the "programme · review" names stay whole, on two lines, however many there
  // are; every value is written next to its bar.
  function ranked(id, rows, value, colour, scale) {
    var canvas = document.getElementById(id);
    if (!canvas) { return; }
    canvas.parentNode.style.height = (70 + 46 * Math.max(1, rows.length)) + "px";
    chart(id, {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label.split(" · "); }),
        datasets: [{ label: "", data: rows.map(value), backgroundColor: colour, maxBarThickness: 30 }]
      },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false,
        layout: { padding: { right: 36 } },
        plugins: { legend: { display: false }, valueLabels: { display: true } },
        scales: { y: { ticks: { autoSkip: false } },
                  x: { min: scale[0], max: scale[1], ticks: { stepSize: scale[2] },
                       title: { display: true, text: canvas.dataset.axis },
                       grid: { color: function (c) { return c.tick.value === 0 ? "#495057" : "rgba(0, 0, 0, 0.1)"; } } } }
      }
    });
  }
  ranked("chart-trend", data.trend.filter(function (r) { return r.satisfaction !== null; }),
         function (r) { return r.satisfaction; }, green, [0, 5, 1]);
  ranked("chart-nps", data.trend.filter(function (r) { return r.nps !== null; }),
         function (r) { return r.nps; }, orange, [-100, 100, 50]);
  chart("chart-skills", {
    type: "bar",
    data: {
      labels: data.skills.map(function (r) { return r.domain; }),
      datasets: [
        { label: labels.before, data: data.skills.map(function (r) { return r.before; }), backgroundColor: "#b6c8e3" },
        { label: labels.after, data: data.skills.map(function (r) { return r.after; }), backgroundColor: blue },
        { label: labels.mentor, data: data.skills.map(function (r) { return r.mentor; }), backgroundColor: green }
      ]
    },
    options: { responsive: true, scales: { y: { min: 0, max: 5 } } }
  });
  chart("chart-funnel", {
    type: "bar",
    data: { labels: labels.funnel, datasets: [{ label: "", data: data.funnel, backgroundColor: blue }] },
    options: { indexAxis: "y", responsive: true, plugins: { legend: { display: false } },
               scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  chart("chart-retention", {
    type: "bar",
    data: { labels: labels.retention, datasets: [{ label: "%", data: data.retention, backgroundColor: [green, green, grey] }] },
    options: { responsive: true, plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 } } }
  });
})();
