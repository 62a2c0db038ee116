// The parts of Apache ECharts the portal's charts use (static/js/dashboard.js): bar, line and pie
// series, the cartesian grid, axis and item tooltips (rich text: the CSP refuses HTML tooltips'
// inline styles), the scrolling legend, the reference mark line, aria descriptions and the canvas
// renderer. Exposed as window.echarts, like the full build, so dashboard.js needs no module loader.
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import {
  AriaComponent,
  GridComponent,
  LegendScrollComponent,
  MarkLineComponent,
  TooltipComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  AriaComponent,
  GridComponent,
  LegendScrollComponent,
  MarkLineComponent,
  TooltipComponent,
  CanvasRenderer,
]);

window.echarts = echarts;
