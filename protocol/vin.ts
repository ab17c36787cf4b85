import { Type } from '@sinclair/typebox';

/** ISO 3779: 17 characters, digits and capitals except I, O and Q (contract "Names"). */
export const VIN_PATTERN = '^[A-HJ-NPR-Z0-9]{17}$';
const VIN_RE = new RegExp(VIN_PATTERN);

export const Vin = Type.String({
  pattern: VIN_PATTERN,
  description: 'Vehicle identification number (ISO 3779)',
  examples: ['JHMZE2H59ES000001'],
});

export function isVin(value: unknown): value is string {
  return typeof value === 'string' && VIN_RE.test(value);
}
