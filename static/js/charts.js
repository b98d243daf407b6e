// Shared Chart.js helpers (vendored Chart.js, no inline script: the CSP forbids it).
// The numbers of every chart are also in a table on the page; these helpers make the chart itself
// readable: values written on the bars and points, numbers in the page's language, colours with
// enough contrast on white, shapes that differ as well as colours.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var lang = document.documentElement.lang || "fr";
  Chart.defaults.locale = lang;
  Chart.defaults.animation = false;  // steady screenshots and print
  Chart.defaults.color = "#343a40";
  Chart.defaults.font.size = 13;
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });

  // Writes each shown value next to its bar or point, for the charts that ask for it
  // (plugins.valueLabels: {display: true, skip: [dataset indexes], inside: [dataset indexes of dark
  // bars whose value is written inside, at the top], suffix: " %"}).
  var valueLabels = {
    id: "valueLabels",
    defaults: { display: false },
    afterDatasetsDraw: function (chart, _args, options) {
      if (!options || !options.display) { return; }
      var skip = options.skip || [];
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.fillStyle = "#212529";
      chart.data.datasets.forEach(function (dataset, index) {
        var meta = chart.getDatasetMeta(index);
        if (meta.hidden || skip.indexOf(index) !== -1) { return; }
        meta.data.forEach(function (element, i) {
          var value = dataset.data[i];
          if (value === null || value === undefined) { return; }
          var text = number.format(value) + (options.suffix || "");
          var horizontal = chart.options.indexAxis === "y";
          if (horizontal) {
            var left = value < 0;  // a bar that goes left: its value on its left
            ctx.textAlign = left ? "right" : "left";
            ctx.textBaseline = "middle";
            ctx.fillText(text, element.x + (left ? -4 : 4), element.y);
          } else if (meta.type === "line") {
            // Right of the point: a bar's value may sit just above it.
            ctx.textAlign = "left";
            ctx.textBaseline = "middle";
            ctx.fillText(text, element.x + 12, element.y);
          } else if ((options.inside || []).indexOf(index) !== -1) {
            ctx.fillStyle = "#ffffff";  // on the dark bar, at its top
            ctx.textAlign = "center";
            ctx.textBaseline = "top";
            ctx.fillText(text, element.x, element.y + 4);
            ctx.fillStyle = "#212529";
          } else if (value < 0) {
            ctx.textAlign = "center";  // below the end of a bar that goes down
            ctx.textBaseline = "top";
            ctx.fillText(text, element.x, element.y + 3);
          } else {
            ctx.textAlign = "center";
            ctx.textBaseline = "bottom";
            ctx.fillText(text, element.x, element.y - 3);
          }
        });
      });
      ctx.restore();
    }
  };
  Chart.register(valueLabels);

  window.MentoratCharts = {
    number: number,
    // On white: each at least 4.5:1, so the value labels and legend keys stay readable.
    colours: { blue: "#1f5fa8", lightBlue: "#9db7dc", green: "#2e7d32", orange: "#b45309", red: "#b42318",
               grey: "#6c757d" },
    // A long category ("Programme · review") on two lines instead of a slanted, cut label.
    lines: function (label) { return String(label).split(" · "); },
    draw: function (canvas, config) { return canvas ? new Chart(canvas, config) : null; },
    read: function (id) {
      var source = document.getElementById(id);
      return source ? JSON.parse(source.textContent) : null;
    }
  };
})();
