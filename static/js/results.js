// Survey results: each question's chart is drawn from the table next to it, so the chart shows
// exactly the figures the table gives (a suppressed line has no counts, and is not drawn).
(function () {
  "use strict";
  if (!window.MentoratCharts) { return; }
  var M = window.MentoratCharts, c = M.colours;
  // 1 to 5, light to dark (each dark enough against white for its legend key).
  var scale = ["#c6d6ec", "#9db7dc", "#6b93c9", "#3f70b3", "#1f4e8c"];

  function recommendColour(value) {
    return value >= 9 ? c.green : (value >= 7 ? c.grey : c.red);
  }

  function read(table) {
    var series = Array.prototype.map.call(table.querySelectorAll("thead th[data-series]"),
                                          function (th) { return th.textContent.trim(); });
    var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr[data-row]"), function (tr) {
      return {
        label: tr.querySelector("th").textContent.trim(),
        value: tr.dataset.value === undefined ? null : Number(tr.dataset.value),
        counts: Array.prototype.map.call(tr.querySelectorAll("td[data-count]"), function (td) { return Number(td.dataset.count); })
      };
    });
    return { series: series, rows: rows };
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var table = document.getElementById(canvas.dataset.chart);
    if (!table) { return; }
    var figures = read(table);
    if (!figures.rows.length) { return; }
    var horizontal = canvas.dataset.orientation === "y";
    var stacked = canvas.dataset.stacked === "1";
    var palette = canvas.dataset.palette;
    var datasets = figures.series.map(function (name, index) {
      var colour = palette === "scale" ? scale[index % scale.length] : c.blue;
      if (palette === "recommend") {
        colour = figures.rows.map(function (row) { return recommendColour(row.value); });
      }
      return { label: name, data: figures.rows.map(function (row) { return row.counts[index]; }), backgroundColor: colour,
               borderColor: "#ffffff", borderWidth: stacked ? 1 : 0, maxBarThickness: 40 };
    });
    var count = { beginAtZero: true, stacked: stacked, ticks: { precision: 0 },
                  title: { display: true, text: canvas.dataset.axis } };
    var category = { stacked: stacked, ticks: { autoSkip: false } };
    M.draw(canvas, {
      type: "bar",
      data: { labels: figures.rows.map(function (row) { return row.label; }), datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: stacked, position: "bottom" },
                   valueLabels: { display: !stacked } },
        layout: { padding: { right: horizontal ? 24 : 0, top: horizontal ? 0 : 18 } },
        scales: horizontal ? { x: count, y: category } : { x: category, y: count }
      }
    });
  });
})();
