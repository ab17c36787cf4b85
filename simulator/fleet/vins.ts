import { isVin } from '../../protocol/index.js';

/** Characters a VIN may use (ISO 3779: no I, O, Q). */
const VIN_CHARS = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';

/**
 * The i-th VIN of a simulated fleet: `JANSH` + 4 characters from the seed + 8-digit index. Same seed,
 * same VINs, so runs and their traces line up; different seeds do not collide on the first 4 chars.
 */
export function fleetVin(seed: number, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index > 99_999_999) throw new RangeError(`fleet index ${index} out of range`);
  let s = (seed >>> 0) % VIN_CHARS.length ** 4;
  let tag = '';
  for (let i = 0; i < 4; i++) {
    tag = VIN_CHARS[s % VIN_CHARS.length]! + tag;
    s = Math.floor(s / VIN_CHARS.length);
  }
  const vin = `JANSH${tag}${String(index).padStart(8, '0')}`;
  if (!isVin(vin)) throw new Error(`bug: generated invalid VIN ${vin}`);
  return vin;
}
