// City centres of China's larger cities, for checking that a store's
// coordinates fall near the city it names. WGS-84, rounded to 0.01°.

/** CITY_CENTRES maps a city's Chinese name (without 市) to its centre [latitude, longitude]. */
export const CITY_CENTRES: Readonly<Record<string, readonly [number, number]>> = {
  北京: [39.9, 116.4],
  上海: [31.23, 121.47],
  天津: [39.13, 117.2],
  重庆: [29.56, 106.55],
  广州: [23.13, 113.26],
  深圳: [22.54, 114.06],
  杭州: [30.27, 120.15],
  南京: [32.06, 118.8],
  苏州: [31.3, 120.59],
  无锡: [31.49, 120.31],
  宁波: [29.87, 121.55],
  合肥: [31.82, 117.23],
  武汉: [30.59, 114.31],
  长沙: [28.23, 112.94],
  成都: [30.57, 104.07],
  西安: [34.34, 108.94],
  郑州: [34.75, 113.63],
  济南: [36.65, 117.12],
  青岛: [36.07, 120.38],
  沈阳: [41.81, 123.43],
  大连: [38.91, 121.61],
  哈尔滨: [45.8, 126.53],
  长春: [43.82, 125.32],
  石家庄: [38.04, 114.51],
  太原: [37.87, 112.55],
  福州: [26.07, 119.3],
  厦门: [24.48, 118.09],
  南昌: [28.68, 115.86],
  昆明: [24.88, 102.83],
  贵阳: [26.65, 106.63],
  南宁: [22.82, 108.37],
  海口: [20.04, 110.2],
  兰州: [36.06, 103.83],
  乌鲁木齐: [43.83, 87.62],
  呼和浩特: [40.84, 111.75],
  东莞: [23.02, 113.75],
  佛山: [23.02, 113.12],
};

/** NEAR_CITY_KM is how far from a city's centre a store may lie before the console warns. */
export const NEAR_CITY_KM = 80;

/** cityCentre finds a city's centre by its name, with or without a trailing 市. */
export function cityCentre(city: string | undefined): readonly [number, number] | undefined {
  const name = (city ?? '').trim().replace(/市$/, '');
  return CITY_CENTRES[name];
}

/** distanceKm is the great-circle distance between two WGS-84 points in kilometres. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * farFromCity is the distance in whole kilometres between the coordinates and
 * the centre of city when it exceeds NEAR_CITY_KM; undefined when they are
 * near, when a coordinate is missing or when the city is not in the table.
 */
export function farFromCity(city: string | undefined, lat: number | null | undefined, lon: number | null | undefined): number | undefined {
  const centre = cityCentre(city);
  if (!centre || typeof lat !== 'number' || typeof lon !== 'number') return undefined;
  const d = distanceKm(lat, lon, centre[0], centre[1]);
  return d > NEAR_CITY_KM ? Math.round(d) : undefined;
}
