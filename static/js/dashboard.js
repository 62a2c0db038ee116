// Draws the dashboard's charts with the vendored ECharts (a custom build: assets/echarts/).
//
// Each chart is a <div data-chart="ID"> next to a <script type="application/json" id="ID">
// written by Django's json_script filter: {kind, categories, series: [{name, values}], links,
// unit}. The same numbers are rendered as a table under the chart, so the page reads fine
// without JavaScript and in print. A click on a bar, point or slice opens the records behind it.
(function () {
  "use strict";

  var PALETTE = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f"];
  var FONT_SIZE = 12;
  var LINE_HEIGHT = 16;
  var ROW_PADDING = 14;
  var charts = [];

  function readSpec(holder) {
    var source = document.getElementById(holder.getAttribute("data-chart"));
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  function narrow() {
    return window.innerWidth < 576;
  }

  function valueLabel(spec) {
    return function (value) {
      return value === null || value === undefined ? "—" : value + (spec.unit || "");
    };
  }

  // Tooltips drawn on the canvas: ECharts' HTML tooltips carry inline style attributes, which the
  // Content-Security-Policy (style-src 'self', no 'unsafe-inline') refuses.
  var TOOLTIP_RENDER_MODE = "richText";

  function seriesValues(values) {
    // ECharts leaves a gap for "-"; None in Python arrives as null.
    return values.map(function (value) {
      return value === null ? "-" : value;
    });
  }

  function pieOption(spec) {
    var series = spec.series[0];
    return {
      color: PALETTE,
      tooltip: { trigger: "item", renderMode: TOOLTIP_RENDER_MODE, valueFormatter: valueLabel(spec) },
      legend: { bottom: 0, type: "scroll" },
      series: [
        {
          name: series.name,
          type: "pie",
          radius: narrow() ? ["30%", "60%"] : ["35%", "65%"],
          center: ["50%", "45%"],
          label: { formatter: "{b}\n{c}" },
          data: spec.categories.map(function (name, index) {
            return { name: name, value: series.values[index] };
          }),
        },
      ],
    };
  }

  function labelsOf(spec) {
    return spec.labels || spec.categories;
  }

  // The width a horizontal bar chart gives its labels: the longest label, at most a share of the
  // chart (45 %, half on a phone); longer labels wrap onto more lines instead of being cut.
  function hbarLabelWidth(spec, holderWidth) {
    var longest = labelsOf(spec).reduce(function (most, label) {
      return Math.max(most, label.length);
    }, 0);
    return Math.min(longest * FONT_SIZE + 4, Math.floor(holderWidth * (narrow() ? 0.5 : 0.45)));
  }

  function hbarLines(label, width) {
    return Math.max(1, Math.ceil((label.length * FONT_SIZE) / width));
  }

  // The tooltip names the category in full (the axis may use the short name) and each value.
  function axisTooltip(spec) {
    var label = valueLabel(spec);
    return function (params) {
      var items = Array.isArray(params) ? params : [params];
      if (!items.length) {
        return "";
      }
      var lines = [spec.categories[items[0].dataIndex]];
      items.forEach(function (item) {
        lines.push(item.seriesName + "：" + label(item.value === "-" ? null : item.value));
      });
      return lines.join("\n");
    };
  }

  function axisOption(spec, holderWidth) {
    var horizontal = spec.kind === "hbar";
    var count = spec.categories.length;
    var labelWidth = horizontal
      ? hbarLabelWidth(spec, holderWidth)
      : Math.max(36, Math.floor((holderWidth - 56) / Math.max(count, 1)) - 4);
    var longest = labelsOf(spec).reduce(function (most, label) {
      return Math.max(most, label.length);
    }, 0);
    // Bars whose labels do not fit side by side get them slanted, whole, rather than broken mid-word.
    var slanted = !horizontal && spec.kind !== "line" && longest * FONT_SIZE > labelWidth;
    var categoryAxis = {
      type: "category",
      data: labelsOf(spec),
      axisLabel: {
        // Every bar keeps its label; a line of months on a phone may skip some rather than overlap them.
        interval: spec.kind === "line" && labelWidth < 40 ? "auto" : 0,
        width: slanted ? undefined : labelWidth,
        overflow: slanted ? "none" : "break",
        rotate: slanted ? 35 : 0,
        lineHeight: LINE_HEIGHT,
        fontSize: FONT_SIZE,
      },
    };
    var valueAxis = { type: "value", axisLabel: { formatter: "{value}" + (spec.unit || ""), hideOverlap: true } };
    if (horizontal && narrow()) {
      valueAxis.splitNumber = 3;
    }
    if (spec.integer) {
      // Counts have no half steps: 0, 1, 2 … never 0.5.
      valueAxis.minInterval = 1;
    }
    if (horizontal) {
      categoryAxis.inverse = true;
    }
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", renderMode: TOOLTIP_RENDER_MODE, formatter: axisTooltip(spec) },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (series) {
        return {
          name: series.name,
          type: spec.kind === "line" ? "line" : "bar",
          data: seriesValues(series.values),
          barMaxWidth: 28,
          label: {
            show: horizontal || spec.categories.length <= 6,
            position: horizontal ? "right" : "top",
            formatter: function (params) {
              return params.value === "-" ? "" : params.value + (spec.unit || "");
            },
          },
          markLine: spec.reference
            ? {
                silent: true,
                symbol: "none",
                label: { show: false },
                data: [horizontal ? { xAxis: spec.reference } : { yAxis: spec.reference }],
              }
            : undefined,
        };
      }),
    };
  }

  function draw(holder) {
    var spec = readSpec(holder);
    if (!spec || !window.echarts) {
      return;
    }
    var width = holder.clientWidth || 320;
    if (spec.kind === "hbar") {
      // Each row as tall as its wrapped label: the holder grows with the data instead of cutting labels.
      var labelWidth = hbarLabelWidth(spec, width);
      var rows = labelsOf(spec).reduce(function (height, label) {
        return height + hbarLines(label, labelWidth) * LINE_HEIGHT + ROW_PADDING;
      }, 0);
      holder.style.height = Math.max(240, rows + 72) + "px";
    }
    var chart = window.echarts.init(holder, null, { renderer: "canvas" });
    var option = spec.kind === "pie" ? pieOption(spec) : axisOption(spec, width);
    option.aria = { enabled: true };
    option.animation = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    chart.setOption(option);
    chart.on("click", function (params) {
      var url = spec.links && spec.links[params.dataIndex];
      if (url) {
        window.location.assign(url);
      }
    });
    holder.setAttribute("data-chart-drawn", "true");
    charts.push(chart);
  }

  function resizeAll() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(resizeAll, 150);
  });

  // Tables inside a closed <details> are opened for printing, then closed again.
  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = Array.prototype.filter.call(document.querySelectorAll("details"), function (details) {
      return !details.open;
    });
    closedBeforePrint.forEach(function (details) {
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (details) {
      details.open = false;
    });
    closedBeforePrint = [];
  });

  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });

  // The school year selector submits itself; its button stays for keyboards and no-JS.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });

  // Charts come after the text and tables: the library (named by the page, data-chart-library)
  // is fetched only once the page has been painted, so neither its download nor its start-up
  // (half a megabyte of script on a slow phone) holds the first paint or DOMContentLoaded.
  // Each chart is drawn in a task of its own when it comes near the screen: a phone showing the
  // first chart never spends its slow CPU on the five below (which keeps the main thread free
  // for taps), and no single long task draws them all.
  function drawAll() {
    var holders = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    if (!("IntersectionObserver" in window)) {
      holders.forEach(function (holder) {
        window.setTimeout(function () {
          draw(holder);
        }, 0);
      });
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            observer.unobserve(entry.target);
            window.setTimeout(function () {
              draw(entry.target);
            }, 0);
          }
        });
      },
      { rootMargin: "300px 0px" }
    );
    holders.forEach(function (holder) {
      observer.observe(holder);
    });
  }

  function afterPaint(callback) {
    window.requestAnimationFrame(function () {
      window.setTimeout(callback, 0);
    });
  }

  var self = document.currentScript;
  var libraryUrl = self && self.getAttribute("data-chart-library");
  if (libraryUrl && document.querySelector("[data-chart]")) {
    var loadLibrary = function () {
      afterPaint(function () {
        var library = document.createElement("script");
        library.src = libraryUrl;
        library.async = true;
        library.addEventListener("load", function () {
          afterPaint(drawAll);
        });
        document.head.appendChild(library);
      });
    };
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", loadLibrary);
    } else {
      loadLibrary();
    }
  }
})();
