// Builders of the ECharts options the console draws. They are pure, so the
// tests can check them without a DOM.

export interface Datum {
  name: string;
  value: number;
}

/** barOption draws one bar per datum, horizontal when there are many. */
export function barOption(data: Datum[], opts: { horizontal?: boolean; color?: string } = {}) {
  const horizontal = opts.horizontal ?? data.length > 8;
  const names = data.map((d) => d.name);
  const values = data.map((d) => d.value);
  // Every label is shown; long ones wrap (vertical bars) or are cut (horizontal bars).
  const category = {
    type: 'category',
    data: names,
    axisLabel: { interval: 0, width: horizontal ? 96 : 72, overflow: horizontal ? 'truncate' : 'break' },
  };
  const value = { type: 'value', minInterval: 1 };
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 16, top: 16, bottom: 8 },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : value,
    series: [
      {
        type: 'bar',
        data: values,
        barMaxWidth: 36,
        itemStyle: opts.color ? { color: opts.color } : undefined,
        label: { show: true, position: horizontal ? 'right' : 'top' },
      },
    ],
  };
}

/** pieOption draws a ring of the data with a legend. */
export function pieOption(data: Datum[]) {
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { type: 'scroll', bottom: 0 },
    series: [
      {
        type: 'pie',
        radius: ['40%', '68%'],
        center: ['50%', '45%'],
        data,
        label: { formatter: '{b}\n{c}' },
      },
    ],
  };
}

/** escapeHtml makes text safe to place in the HTML of a tooltip. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Point {
  name: string;
  city: string;
  longitude: number;
  latitude: number;
  group: string;
}

/**
 * scatterOption places points by longitude (x) and latitude (y), one series
 * per group, with no map tiles: a "map-like" view that needs no network.
 */
export function scatterOption(points: Point[], groupLabel: (g: string) => string) {
  const groups = [...new Set(points.map((p) => p.group))].sort();
  const pad = (min: number, max: number) => {
    const d = Math.max((max - min) * 0.05, 0.5);
    return [Math.floor(min - d), Math.ceil(max + d)];
  };
  const lons = points.map((p) => p.longitude);
  const lats = points.map((p) => p.latitude);
  const [xMin, xMax] = points.length ? pad(Math.min(...lons), Math.max(...lons)) : [73, 135];
  const [yMin, yMax] = points.length ? pad(Math.min(...lats), Math.max(...lats)) : [18, 54];
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p: { data: [number, number, string, string]; seriesName: string }) =>
        `${escapeHtml(p.data[2])}<br/>${escapeHtml(p.data[3])} · ${escapeHtml(p.seriesName)}<br/>` +
        `${p.data[0].toFixed(4)}, ${p.data[1].toFixed(4)}`,
    },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 8, right: 24, top: 16, bottom: 40 },
    xAxis: { type: 'value', name: 'E', min: xMin, max: xMax, scale: true, splitLine: { lineStyle: { type: 'dashed' } } },
    yAxis: { type: 'value', name: 'N', min: yMin, max: yMax, scale: true, splitLine: { lineStyle: { type: 'dashed' } } },
    series: groups.map((g) => ({
      name: groupLabel(g),
      type: 'scatter',
      symbolSize: 10,
      itemStyle: { opacity: 0.8 },
      data: points.filter((p) => p.group === g).map((p) => [p.longitude, p.latitude, p.name, p.city]),
    })),
  };
}
