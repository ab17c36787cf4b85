/** Amounts as people in Japan read them: `¥3,000` (yen have no decimals). */
const GROUPED = new Intl.NumberFormat('ja-JP', { maximumFractionDigits: 0 });

export function yen(amount: number): string {
  return `¥${GROUPED.format(amount)}`;
}

/** Kilometres to the metre at most: `10.1 km`, `12 km`. */
export function km(value: number): string {
  return `${Number(value.toFixed(3)).toLocaleString('en-US', { maximumFractionDigits: 3 })} km`;
}
