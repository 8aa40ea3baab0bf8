// Reading a Report (protos/ktv/v1/reports.proto) as the HTTP API answers it: proto3 JSON,
// int64 as strings, enums as names. Only display: every number is the server's.
import { yuan } from '../lib/format'

export function num(v) {
  const n = typeof v === 'string' ? Number(v) : v || 0
  return Number.isFinite(n) ? n : 0
}

export function figureMap(report) {
  const out = {}
  for (const f of report?.figures || []) out[f.key] = { value: num(f.value), unit: f.unit, label: f.label }
  return out
}

export function section(report, key) {
  return (report?.sections || []).find((s) => s.key === key) || null
}

// a cell: {number: "12"} / {text: "x"} / {}
export function cellValue(cell) {
  if (!cell) return null
  if (cell.number !== undefined && cell.number !== null) return num(cell.number)
  if (cell.text !== undefined && cell.text !== null) return cell.text
  return null
}

// rows as objects keyed by column key
export function rowsOf(sec) {
  if (!sec) return []
  const keys = (sec.columns || []).map((c) => c.key)
  return (sec.rows || []).map((r) => {
    const o = {}
    keys.forEach((k, i) => (o[k] = cellValue(r.cells?.[i])))
    return o
  })
}

export function percent(bp) {
  return `${(num(bp) / 100).toFixed(1)}%`
}

export function duration(seconds) {
  const m = Math.round(num(seconds) / 60)
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`
}

// a unit's name -> how its numbers print
export function formatUnit(value, unit) {
  if (value === null || value === undefined || value === '') return ''
  if (typeof value === 'string' && unit !== 'REPORT_UNIT_FEN') return value
  switch (unit) {
    case 'REPORT_UNIT_FEN':
      return yuan(value)
    case 'REPORT_UNIT_BASIS_POINTS':
      return percent(value)
    case 'REPORT_UNIT_SECONDS':
      return duration(value)
    case 'REPORT_UNIT_COUNT':
      return String(num(value))
    default:
      return String(value)
  }
}

// the compare table's value columns carry the row's own unit, named by its key's suffix
export function unitOfKey(key) {
  if (key.endsWith('_fen')) return 'REPORT_UNIT_FEN'
  if (key.endsWith('_bp')) return 'REPORT_UNIT_BASIS_POINTS'
  if (key.endsWith('_s')) return 'REPORT_UNIT_SECONDS'
  return 'REPORT_UNIT_COUNT'
}

// YYYY-MM-DD arithmetic in UTC (labels of business days, never instants)
export function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}
