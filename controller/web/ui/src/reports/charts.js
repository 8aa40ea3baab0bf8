// ECharts for the report pages: only the chart types and components they draw (a tree-shaken
// core, canvas renderer), so the reports chunk stays small and the rest of the app never
// downloads it (the /reports routes are lazy).
import * as echarts from 'echarts/core'
import { PieChart, LineChart, BarChart } from 'echarts/charts'
import { TooltipComponent, LegendComponent, GridComponent, TitleComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([PieChart, LineChart, BarChart, TooltipComponent, LegendComponent, GridComponent, TitleComponent, CanvasRenderer])

export { echarts }

// Okabe-Ito (colour-blind safe), the same family as the board's state colours
export const PALETTE = ['#e69f00', '#56b4e9', '#009e73', '#f0e442', '#0072b2', '#d55e00', '#cc79a7', '#999999']

// the CJK font first: Chinese labels must render on the canvas too
export const FONT = '"Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif'
