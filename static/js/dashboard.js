// Draws the dashboard's charts with the vendored ECharts.
//
// Each chart is a <div data-chart="ID"> next to a <script type="application/json" id="ID">
// written by Django's json_script filter: {kind, categories, series: [{name, values}], links,
// unit}. The same numbers are rendered as a table under the chart, so the page reads fine
// without JavaScript and in print. A click on a bar, point or slice opens the records behind it.
(function () {
  "use strict";

  var PALETTE = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f"];
  var ROW_HEIGHT = 30;
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

  // "2024-09" reads as "9月" on the axis; the table keeps the full month.
  function monthLabel(category) {
    var month = /^\d{4}-(\d{2})$/.exec(category);
    return month ? parseInt(month[1], 10) + "月" : category;
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

  function axisOption(spec) {
    var horizontal = spec.kind === "hbar";
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      axisLabel: {
        interval: 0,
        width: horizontal ? (narrow() ? 110 : 220) : narrow() ? 48 : 96,
        overflow: "truncate",
        rotate: !horizontal && narrow() && spec.categories.length > 4 ? 40 : 0,
        formatter: monthLabel,
      },
    };
    var valueAxis = { type: "value", axisLabel: { formatter: "{value}" + (spec.unit || "") } };
    if (horizontal) {
      categoryAxis.inverse = true;
    }
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", renderMode: TOOLTIP_RENDER_MODE, valueFormatter: valueLabel(spec) },
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
    if (spec.kind === "hbar") {
      // One row per category: the holder grows with the data instead of squeezing labels.
      holder.style.height = Math.max(240, spec.categories.length * ROW_HEIGHT + 72) + "px";
    }
    var chart = window.echarts.init(holder, null, { renderer: "canvas" });
    var option = spec.kind === "pie" ? pieOption(spec) : axisOption(spec);
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

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
