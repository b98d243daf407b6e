// Dashboard charts (Chart.js, vendored). Data comes from the page's JSON, never from inline script.
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  document.querySelectorAll("[data-action=print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  var blue = "#1f5fa8", green = "#2e7d32", orange = "#c2570c", grey = "#6c757d";
  Chart.defaults.animation = false;  // steady screenshots and print
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
  chart("chart-trend", {
    type: "line",
    data: {
      labels: data.trend.map(function (r) { return r.label; }),
      datasets: [
        { label: labels.satisfaction, data: data.trend.map(function (r) { return r.satisfaction; }), borderColor: green,
          backgroundColor: green, yAxisID: "y", spanGaps: true },
        { label: labels.nps, data: data.trend.map(function (r) { return r.nps; }), borderColor: orange,
          backgroundColor: orange, yAxisID: "y1", spanGaps: true }
      ]
    },
    options: { responsive: true, scales: { y: { min: 1, max: 5, position: "left" },
                                           y1: { min: -100, max: 100, position: "right", grid: { drawOnChartArea: false } } } }
  });
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
