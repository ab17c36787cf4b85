import type { RouteDef } from '../types.js';

/**
 * National Route 274 over the Nissho Pass (日勝峠), Hidaka to Shimizu, Hokkaido, eastbound: a rural
 * mountain road with the Nissho Tunnel at the summit and weak coverage. Approximate coordinates.
 */
export const hokkaido274: RouteDef = {
  id: 'hokkaido-274',
  name: 'Route 274 Nissho Pass (Hidaka - Shimizu), Hokkaido',
  nameJa: '国道274号 日勝峠',
  description: 'Rural Hokkaido mountain pass; summit tunnel where the TCU dead-reckons.',
  kmAtStart: 0,
  speedLimitKmh: 60,
  noiseM: 8,
  points: [
    [42.8790, 142.4390, 'Hidaka'],
    [42.8950, 142.5000],
    [42.9120, 142.5600],
    [42.9290, 142.6150],
    [42.9450, 142.6700],
    [42.9560, 142.7150, 'Nissho Pass (summit)'],
    [42.9680, 142.7550],
    [42.9820, 142.8050],
    [43.0000, 142.8500],
    [43.0110, 142.8850, 'Shimizu'],
  ],
  tunnels: [{ name: 'Nissho Tunnel (日勝トンネル)', fromKm: 23.5, toKm: 24.6, fix: 'untrusted' }],
};
