// Builders of the ECharts options the console draws. They are pure, so the
// tests can check them without a DOM.

export interface Datum {
  name: string;
  value: number;
}

/** barOption draws one bar per datum, horizontal when there are many. */
export function barOption(data: Datum[], opts: { horizontal?: boolean; color?: string; labelWidth?: number } = {}) {
  const horizontal = opts.horizontal ?? data.length > 8;
  const names = data.map((d) => d.name);
  const values = data.map((d) => d.value);
  // Every label is shown; long ones wrap (vertical bars) or are cut (horizontal bars).
  const category = {
    type: 'category',
    data: names,
    axisLabel: { interval: 0, width: opts.labelWidth ?? (horizontal ? 96 : 72), overflow: horizontal ? 'truncate' : 'break' },
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
  name: string; // the store's name when count is 1
  city: string;
  longitude: number;
  latitude: number;
  group: string;
  count: number; // stores at this point (a cell of the server's store map)
}

/** pointSize grows a point's symbol with the square root of its stores, so its area counts them. */
export function pointSize(count: number): number {
  return Math.min(6 + 3 * Math.sqrt(Math.max(count, 1) - 1), 30);
}

/**
 * SPREAD is how far (in degrees) scatterOption moves each group's points from where
 * they are, each group in its own direction, so that the formats of one city sit
 * side by side instead of on top of one another.
 */
const SPREAD = 0.45;

/**
 * scatterOption places points by longitude (x) and latitude (y), one series
 * per group (a legend entry the user can toggle), with no map tiles: a
 * "map-like" view that needs no network. Points are translucent and sized by
 * their count; each group is drawn a little aside in its own direction (groups
 * are placed in the order of order, when given, so a format keeps its place when
 * the filters change). The tooltip gives the true position.
 */
export function scatterOption(
  points: Point[],
  groupLabel: (g: string) => string,
  countLabel: (n: number) => string = String,
  order: readonly string[] = [],
) {
  const groups = [...new Set(points.map((p) => p.group))].sort();
  const slots = [...order, ...groups.filter((g) => !order.includes(g))];
  const offset = (g: string): [number, number] => {
    const a = (2 * Math.PI * slots.indexOf(g)) / Math.max(slots.length, 1);
    return groups.length > 1 ? [SPREAD * Math.cos(a), SPREAD * Math.sin(a)] : [0, 0];
  };
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
      formatter: (p: { data: [number, number, string, string, number, number, number]; seriesName: string }) => {
        const [, , name, city, count, lon, lat] = p.data;
        const what = count > 1 || !name ? countLabel(count) : name;
        return `${escapeHtml(what)}<br/>${escapeHtml(city)} · ${escapeHtml(p.seriesName)}<br/>${lon.toFixed(2)}, ${lat.toFixed(2)}`;
      },
    },
    // The legend wraps above the plot (two lines in English), clear of the axis labels.
    legend: { top: 0, itemWidth: 10, itemHeight: 10, itemGap: 8, textStyle: { fontSize: 11 } },
    grid: { left: 8, right: 24, top: 64, bottom: 8 },
    xAxis: { type: 'value', name: 'E', min: xMin, max: xMax, scale: true, splitLine: { lineStyle: { type: 'dashed' } } },
    yAxis: { type: 'value', name: 'N', min: yMin, max: yMax, scale: true, splitLine: { lineStyle: { type: 'dashed' } } },
    series: groups.map((g) => {
      const [dx, dy] = offset(g);
      return {
        name: groupLabel(g),
        type: 'scatter',
        symbolSize: (v: [number, number, string, string, number]) => pointSize(v[4]),
        itemStyle: { opacity: 0.6, borderColor: '#fff', borderWidth: 0.5 },
        emphasis: { focus: 'series' },
        data: points.filter((p) => p.group === g).map((p) => [p.longitude + dx, p.latitude + dy, p.name, p.city, p.count, p.longitude, p.latitude]),
      };
    }),
  };
}
