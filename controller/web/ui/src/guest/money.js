// Money is integer fen on the wire (int64 as a JSON string).
export function fen(v) {
  const n = typeof v === 'string' ? Number(v) : v || 0
  return Number.isFinite(n) ? n : 0
}

export function yuan(v) {
  const n = fen(v)
  const a = Math.abs(n)
  const cents = a % 100
  return `${n < 0 ? '-' : ''}¥${Math.floor(a / 100)}${cents ? `.${String(cents).padStart(2, '0')}` : ''}`
}
