// Display helpers. Money is integer fen on the wire (int64 -> a JSON string).
export function fen(v) {
  const n = typeof v === 'string' ? Number(v) : v || 0
  return Number.isFinite(n) ? n : 0
}

export function yuan(v) {
  const n = fen(v)
  const sign = n < 0 ? '-' : ''
  const a = Math.abs(n)
  return `${sign}¥${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
}

// "¥12.50" / "12.5" / "１２" -> fen, or null when it is not an amount
export function parseYuan(text) {
  const s = String(text ?? '')
    .normalize('NFKC')
    .replace(/[¥,\s]/g, '')
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(s)) return null
  const [i, d = ''] = s.split('.')
  return Number(i) * 100 + Number(d.padEnd(2, '0'))
}

export function minutesBetween(fromIso, toMs = Date.now()) {
  if (!fromIso) return 0
  return Math.max(0, Math.floor((toMs - Date.parse(fromIso)) / 60000))
}

export function hhmm(minutes) {
  const m = Math.abs(minutes)
  return `${minutes < 0 ? '-' : ''}${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`
}
