/** A valid ISO 3779 VIN per number, for tests: JT2AE92E3K + 7 digits. */
export function vin(n: number): string {
  return `JT2AE92E3K${String(n).padStart(7, '0')}`;
}
