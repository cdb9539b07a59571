// tradefacts dashboard: draw the charts of a page with the bundled Plotly.js.
// Each chart's figure is a JSON script beside it; a chart is drawn when it comes near the
// screen (the first ones at once), and a click on a point opens the fact behind it.
(function () {
  "use strict";

  function plot(div) {
    var source = document.getElementById(div.dataset.figure);
    if (!source || div.dataset.drawn) return;
    div.dataset.drawn = "true";
    var fig = JSON.parse(source.textContent);
    Plotly.newPlot(div, fig.data, fig.layout, fig.config).then(function (gd) {
      gd.setAttribute("data-ready", "true");
      if (!document.querySelector("div.chart[data-ready]:not(#" + gd.id + ")")) {
        performance.mark("first-chart");
      }
      gd.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        var href = point && point.customdata && point.customdata[4];
        if (href) window.location.href = href;
      });
    });
  }

  function draw() {
    var charts = document.querySelectorAll("div.chart[data-figure]");
    if (typeof Plotly === "undefined") {
      charts.forEach(function (div) {
        div.textContent = "The chart library did not load; the figures are in the table below.";
      });
      return;
    }
    if (!("IntersectionObserver" in window)) {
      charts.forEach(plot);
      return;
    }
    // the charts on the first screen at once; the others as they come near it
    var later = [];
    charts.forEach(function (div) {
      if (div.getBoundingClientRect().top < window.innerHeight + 100) plot(div);
      else later.push(div);
    });
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            plot(entry.target);
          }
        });
      },
      { rootMargin: "300px 0px" }
    );
    later.forEach(function (div) { observer.observe(div); });
  }

  // every chart now (before printing, or for a full-page screenshot)
  function drawAll() {
    if (typeof Plotly !== "undefined") {
      document.querySelectorAll("div.chart[data-figure]").forEach(plot);
    }
  }
  window.tradefacts = { drawAll: drawAll };
  window.addEventListener("beforeprint", drawAll);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
