/**
 * Charts (SVG strings) and the HTML report. Browser-safe: nothing here imports from `node:`.
 * @module gated/report
 */
export { lineChart } from "./svg/line-chart.js";
export type { LineChartOptions, LineSeries } from "./svg/line-chart.js";
export { forecastChart } from "./svg/forecast-chart.js";
export type { ForecastChartOptions } from "./svg/forecast-chart.js";
export { heatmap } from "./svg/heatmap.js";
export type { HeatmapOptions } from "./svg/heatmap.js";
export { barChart } from "./svg/bar-chart.js";
export type { Bar, BarChartOptions } from "./svg/bar-chart.js";
export { PALETTES, PALETTE_NAMES, SERIES_COLORS } from "./svg/palette.js";
export type { PaletteName } from "./svg/palette.js";
export { niceTicks, niceDomain, logDomain } from "./svg/ticks.js";
export type { Ticks, TickOptions } from "./svg/ticks.js";
export { htmlReport } from "./html.js";
export type { HtmlReportOptions, ReportSection } from "./html.js";
export { keyValueTable } from "./table.js";
export type { ReportTable, Cell } from "./table.js";
