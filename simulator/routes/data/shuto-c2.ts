import type { RouteDef } from '../types.js';

/**
 * Shuto Expressway Central Circular Route (首都高速 中央環状線) C2, Oi JCT to Itabashi JCT, northbound,
 * almost all of it inside the 18.2 km Yamate Tunnel: no GNSS fix there (D2.7). Approximate coordinates.
 */
export const shutoC2: RouteDef = {
  id: 'shuto-c2',
  name: 'Shuto Expressway C2 Yamate Tunnel (Oi JCT - Itabashi JCT)',
  nameJa: '首都高速中央環状線 山手トンネル',
  description: 'Urban Tokyo ring road, mostly the Yamate Tunnel (no fix) with urban-canyon noise outside.',
  kmAtStart: 0,
  speedLimitKmh: 60,
  noiseM: 15,
  points: [
    [35.6060, 139.7440, 'Oi JCT'],
    [35.6160, 139.7260],
    [35.6230, 139.7110, 'Gotanda IC'],
    [35.6380, 139.6960],
    [35.6520, 139.6850, 'Ohashi JCT'],
    [35.6690, 139.6840, 'Tomigaya IC'],
    [35.6920, 139.6870, 'Nishi-Shinjuku JCT'],
    [35.7060, 139.6860, 'Nakano-Chojabashi IC'],
    [35.7300, 139.6900],
    [35.7500, 139.6990, 'Kumanocho JCT'],
    [35.7600, 139.6960, 'Itabashi JCT'],
  ],
  tunnels: [
    { name: 'Yamate Tunnel south (Oi - Ohashi)', fromKm: 0.4, toKm: 7.2, fix: 'none' },
    { name: 'Yamate Tunnel north (Ohashi - Takamatsu)', fromKm: 7.8, toKm: 18.2, fix: 'none' },
  ],
};
