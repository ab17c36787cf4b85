import type { CoverageTow, DayBand } from '../../protocol/index.js';
import { km as kmText, yen } from './format.js';
import { inJapan, minutesOf } from './japan-time.js';
import type { ProgrammeRules } from './programme-schema.js';

export type TowTariff = NonNullable<ProgrammeRules['tow']>;

/** D5.2: day is dayStarts <= t < nightStarts, Japan time (08:00-20:00 by default), night the rest. */
export function bandAt(tariff: TowTariff, atMs: number): DayBand {
  const m = inJapan(atMs).minutes;
  return m >= minutesOf(tariff.dayStarts) && m < minutesOf(tariff.nightStarts) ? 'day' : 'night';
}

/**
 * D5.2: the free distance costs the member nothing; each kilometre beyond it, rounded up to a whole
 * kilometre (10.1 km with 10 free: 1 km charged), at the band's rate. Distances are taken to the metre
 * first, so that 10.3 - 10 in floating point cannot charge a second kilometre.
 */
export function towFee(tariff: TowTariff, km: number, atMs: number): CoverageTow {
  const beyondMetres = Math.round(km * 1000) - Math.round(tariff.freeKm * 1000);
  const chargedKm = beyondMetres > 0 ? Math.ceil(beyondMetres / 1000) : 0;
  const band = bandAt(tariff, atMs);
  const yenPerKm = tariff.yenPerKm[band];
  const memberPaysYen = chargedKm * yenPerKm;
  const hours = band === 'day' ? `${tariff.dayStarts}-${tariff.nightStarts}` : `${tariff.nightStarts}-${tariff.dayStarts}`;
  const tax = tariff.taxIncluded ? 'tax included' : 'tax excluded';
  const reason =
    chargedKm === 0
      ? `${kmText(km)} is within the ${kmText(tariff.freeKm)} free: the member pays nothing`
      : `${kmText(km)}: ${kmText(tariff.freeKm)} free, ${chargedKm} km charged (rounded up) at ${yen(yenPerKm)}/km (${band}, ${hours} JST), ${tax}: the member pays ${yen(memberPaysYen)}`;
  return { km, freeKm: tariff.freeKm, chargedKm, band, yenPerKm, memberPaysYen, taxIncluded: tariff.taxIncluded, reason };
}
