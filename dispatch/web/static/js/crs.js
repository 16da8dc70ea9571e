// GCJ-02 (AMap/Gaode, Tencent) and BD-09 (Baidu) to WGS84, for previewing a typed point on
// the map. The server converts again (geo/crs.py, the same published formulas) and its answer
// is the one stored: this is only where the pin goes before the case is opened.

const A = 6378245.0; // Krasovsky 1940 semi-major axis, metres
const EE = 0.006693421622965943; // Krasovsky 1940 first eccentricity squared (0.00669342162296594323 as a double)
const X_PI = (Math.PI * 3000.0) / 180.0;

export const CRS_NAMES = ['wgs84', 'gcj02', 'bd09'];

/**
 * @param {number} lon
 * @param {number} lat
 */
function outOfChina(lon, lat) {
  return !(lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
}

/**
 * @param {number} lon
 * @param {number} lat
 * @returns {[number, number]}
 */
function gcjOffset(lon, lat) {
  const x = lon - 105.0;
  const y = lat - 35.0;
  const px = x * Math.PI;
  const py = y * Math.PI;
  const common = 20.0 * Math.sin(6.0 * px) + 20.0 * Math.sin(2.0 * px);
  let dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dLat += ((common + 20.0 * Math.sin(py) + 40.0 * Math.sin(py / 3.0)) * 2.0) / 3.0;
  dLat += ((160.0 * Math.sin(py / 12.0) + 320.0 * Math.sin(py / 30.0)) * 2.0) / 3.0;
  let dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLon += ((common + 20.0 * Math.sin(px) + 40.0 * Math.sin(px / 3.0)) * 2.0) / 3.0;
  dLon += ((150.0 * Math.sin(px / 12.0) + 300.0 * Math.sin(px / 30.0)) * 2.0) / 3.0;
  const radLat = (lat * Math.PI) / 180.0;
  const magic = 1.0 - EE * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180.0) / (((A * (1.0 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLon = (dLon * 180.0) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [dLon, dLat];
}

/**
 * @param {number} lon
 * @param {number} lat
 * @returns {[number, number]}
 */
function gcjForward(lon, lat) {
  const [dLon, dLat] = gcjOffset(lon, lat);
  return [lon + dLon, lat + dLat];
}

/**
 * @param {number} lon
 * @param {number} lat
 * @returns {[number, number]}
 */
function gcjToBd(lon, lat) {
  const z = Math.hypot(lon, lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * X_PI);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/**
 * Solve forward(p) = (lon, lat) by fixed-point iteration, starting at `start`.
 * @param {(lon: number, lat: number) => [number, number]} forward
 * @param {number} lon
 * @param {number} lat
 * @param {[number, number]} start
 * @returns {[number, number]}
 */
function invert(forward, lon, lat, start) {
  let [estLon, estLat] = start;
  for (let i = 0; i < 30; i += 1) {
    const [gotLon, gotLat] = forward(estLon, estLat);
    const errLon = gotLon - lon;
    const errLat = gotLat - lat;
    if (Math.abs(errLon) < 1e-9 && Math.abs(errLat) < 1e-9) break;
    estLon -= errLon;
    estLat -= errLat;
  }
  return [estLon, estLat];
}

/**
 * @param {number} lon
 * @param {number} lat
 * @returns {[number, number]}
 */
function gcjToWgs(lon, lat) {
  if (outOfChina(lon, lat)) return [lon, lat];
  const [dLon, dLat] = gcjOffset(lon, lat);
  return invert(gcjForward, lon, lat, [lon - dLon, lat - dLat]);
}

/**
 * @param {number} lon
 * @param {number} lat
 * @returns {[number, number]}
 */
function bdToGcj(lon, lat) {
  const x = lon - 0.0065;
  const y = lat - 0.006;
  const z = Math.hypot(x, y) - 0.00002 * Math.sin(y * X_PI);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * X_PI);
  return invert(gcjToBd, lon, lat, [z * Math.cos(theta), z * Math.sin(theta)]);
}

/**
 * (lon, lat) given in `crs` ('wgs84' | 'gcj02' | 'bd09') as WGS84 [lon, lat].
 * @param {number} lon
 * @param {number} lat
 * @param {string} crs
 * @returns {[number, number]}
 */
export function toWgs84(lon, lat, crs) {
  if (crs === 'gcj02') return gcjToWgs(lon, lat);
  if (crs === 'bd09') return gcjToWgs(...bdToGcj(lon, lat));
  return [lon, lat];
}

/**
 * Read "LON, LAT" (comma, space or Chinese comma; degrees). Returns `{lon, lat, swapped}` or
 * null. In China longitudes (73–135) are always larger than latitudes (18–54), so "LAT, LON"
 * is recognised and turned round (`swapped: true`).
 * @param {unknown} text
 * @returns {{lon: number, lat: number, swapped: boolean} | null}
 */
export function parseLonLat(text) {
  const parts = String(text).trim().split(/[\s,，;；]+/).filter(Boolean);
  if (parts.length !== 2) return null;
  const [a, b] = parts.map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
  if (a < 60 && b > 70) return { lon: b, lat: a, swapped: true };
  return { lon: a, lat: b, swapped: false };
}
