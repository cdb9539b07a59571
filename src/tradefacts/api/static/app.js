// tradefacts dashboard: the charts of a page, drawn with the Plotly.js the app serves.
//
// Plotly.js is not in the way of the page: the HTML, its tables, numbers and progress bars
// render and the page's load event fires without it. It is fetched once the page has
// loaded (its URL is this script's data-plotly), and each chart is drawn as soon as the
// library is there and the chart is on or near the screen (the others as they come near
// it); until then a placeholder of the chart's size stands in its place, so nothing
// moves. Each chart's figure is a JSON script beside it, and the table under it lists the
// same points (all there is without JavaScript). A click on a point opens its fact.
(function () {
  "use strict";

  var me = document.currentScript;
  var src = me && me.dataset.plotly;
  var status = "waiting"; // then "loading", and "ready" or "failed"
  var pending = []; // charts to draw, in order, once the library is there
  var scheduled = false;

  function charts() {
    return document.querySelectorAll("div.chart[data-figure]");
  }

  function plot(div) {
    var source = document.getElementById(div.dataset.figure);
    if (!source || div.dataset.drawn) return;
    div.dataset.drawn = "true";
    var fig = JSON.parse(source.textContent);
    Plotly.newPlot(div, fig.data, fig.layout, fig.config).then(function (gd) {
      gd.setAttribute("data-ready", "true");
      if (!performance.getEntriesByName("first-chart").length) performance.mark("first-chart");
      gd.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        var href = point && point.customdata && point.customdata[4];
        if (href) window.location.href = href;
      });
    });
  }

  // one chart a task, so that the first is on the screen before the next is drawn
  function schedule() {
    if (status !== "ready" || scheduled || !pending.length) return;
    scheduled = true;
    setTimeout(function () {
      scheduled = false;
      var div = pending.shift();
      if (div) plot(div);
      schedule();
    }, 0);
  }

  // a chart to draw: as soon as the library is there
  function want(div) {
    if (div.dataset.drawn || pending.indexOf(div) >= 0) return;
    pending.push(div);
    schedule();
  }

  function failed() {
    status = "failed";
    pending = [];
    charts().forEach(function (div) {
      if (div.dataset.ready) return;
      div.dataset.failed = "true";
      div.textContent = "The chart library did not load; the figures are in the table below.";
    });
  }

  function fetchLibrary() {
    if (status !== "waiting") return;
    if (!src) {
      failed();
      return;
    }
    status = "loading";
    var script = document.createElement("script");
    script.src = src;
    script.async = true;
    script.onload = function () {
      if (typeof Plotly === "undefined") {
        failed();
        return;
      }
      status = "ready";
      performance.mark("plotly-loaded");
      schedule();
    };
    script.onerror = failed;
    document.head.appendChild(script);
  }

  // the charts on or near the screen are wanted now, the others when they come near it
  function watch() {
    var all = charts();
    if (!("IntersectionObserver" in window)) {
      all.forEach(want);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            want(entry.target);
          }
        });
      },
      { rootMargin: "300px 0px" }
    );
    all.forEach(function (div) {
      observer.observe(div);
    });
  }

  // every chart, as soon as the library is there (before printing, for a full-page
  // screenshot)
  function drawAll() {
    charts().forEach(want);
    fetchLibrary();
  }
  window.tradefacts = { drawAll: drawAll };
  window.addEventListener("beforeprint", drawAll);

  function start() {
    if (!charts().length) return;
    watch();
    // after the load event, so that neither the page nor its load event waits for it
    if (document.readyState === "complete") setTimeout(fetchLibrary, 0);
    else
      window.addEventListener("load", function () {
        setTimeout(fetchLibrary, 0);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
