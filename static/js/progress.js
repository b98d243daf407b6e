// The participant's own ratings over time (Chart.js, vendored; data from the page's JSON).
(function () {
  "use strict";
  var source = document.getElementById("ratings-data");
  var canvas = document.getElementById("chart-ratings");
  if (!source || !canvas || typeof Chart === "undefined") { return; }
  var rows = JSON.parse(source.textContent);
  Chart.defaults.animation = false;
  new Chart(canvas, {
    type: "line",
    data: { labels: rows.map(function (r) { return r.date; }),
            datasets: [{ label: "1–5", data: rows.map(function (r) { return r.score; }), borderColor: "#1f5fa8", backgroundColor: "#1f5fa8" }] },
    options: { responsive: true, plugins: { legend: { display: false } }, scales: { y: { min: 1, max: 5 } } }
  });
})();
