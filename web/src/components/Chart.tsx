// The ESM build: the CommonJS one (lib/) arrives as a module object in the production bundle.
import ReactEChartsCore from 'echarts-for-react/esm/core';
import { BarChart, PieChart, ScatterChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { CSSProperties } from 'react';

// Only what the console draws is registered, which keeps the bundle small.
echarts.use([BarChart, PieChart, ScatterChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, SVGRenderer]);

// No entry animation under test runners and browser automation, so that
// assertions and screenshots see the final picture.
const animate = import.meta.env.MODE !== 'test' && !(typeof navigator !== 'undefined' && navigator.webdriver);

export interface ChartProps {
  /** An ECharts option; animation is switched off under tests. */
  option: Record<string, unknown>;
  height?: number;
  testId?: string;
  style?: CSSProperties;
}

/** Chart draws an ECharts option with the SVG renderer. */
export function Chart({ option, height = 300, testId, style }: ChartProps) {
  return (
    <div data-testid={testId} className="or-chart" style={style}>
      <ReactEChartsCore
        echarts={echarts}
        option={{ animation: animate, ...option }}
        notMerge
        opts={{ renderer: 'svg' }}
        style={{ height, width: '100%' }}
      />
    </div>
  );
}
