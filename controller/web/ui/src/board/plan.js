// Placing one floor's rooms on its grid (Room.layout: 1-based column/row, width/height in
// cells). A room with no place yet (column or row 0), or one whose cells are already taken,
// goes to the first free cells in reading order, so nothing ever overlaps on screen. The
// server stores what a manager saves; this only draws it.
import { byName } from '../lib/board'

export const MIN_COLS = 6

function span(v) {
  const n = Number(v || 1)
  return Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), 8) : 1
}

export function placeFloor(rooms, { minCols = MIN_COLS, spareRow = false } = {}) {
  const sorted = [...rooms].sort(byName)
  let cols = minCols
  for (const r of sorted) {
    const c = Number(r.layout?.column || 0)
    if (c >= 1) cols = Math.max(cols, c + span(r.layout?.width) - 1)
  }
  const taken = new Set()
  const key = (c, r) => `${c},${r}`
  const fits = (c, r, w, h) => {
    if (c < 1 || r < 1 || c + w - 1 > cols) return false
    for (let x = c; x < c + w; x++) for (let y = r; y < r + h; y++) if (taken.has(key(x, y))) return false
    return true
  }
  const take = (c, r, w, h) => {
    for (let x = c; x < c + w; x++) for (let y = r; y < r + h; y++) taken.add(key(x, y))
  }
  const items = []
  const later = []
  for (const room of sorted) {
    const l = room.layout || {}
    const w = Math.min(span(l.width), cols)
    const h = span(l.height)
    const c = Number(l.column || 0)
    const r = Number(l.row || 0)
    if (c >= 1 && r >= 1 && fits(c, r, w, h)) {
      take(c, r, w, h)
      items.push({ room, col: c, row: r, w, h, placed: true })
    } else {
      later.push({ room, w, h })
    }
  }
  for (const { room, w, h } of later) {
    let done = false
    for (let r = 1; !done; r++) {
      for (let c = 1; c + w - 1 <= cols; c++) {
        if (fits(c, r, w, h)) {
          take(c, r, w, h)
          items.push({ room, col: c, row: r, w, h, placed: false })
          done = true
          break
        }
      }
    }
  }
  let rows = 1
  for (const it of items) rows = Math.max(rows, it.row + it.h - 1)
  if (spareRow) rows += 1
  const free = []
  for (let r = 1; r <= rows; r++) for (let c = 1; c <= cols; c++) if (!taken.has(key(c, r))) free.push({ col: c, row: r })
  return { cols, rows, items, free }
}

// The wall TV: how many columns make the biggest tiles when `counts` (rooms per floor) are
// stacked in sections of one header row each, in a width x height box.
export function fitWall(counts, width, height, { headerPx = 0, gapPx = 8, aspect = 1.45 } = {}) {
  const n = Math.max(1, counts.reduce((a, b) => a + b, 0))
  let best = { cols: 1, tileW: 0, tileH: 0 }
  for (let cols = 1; cols <= n; cols++) {
    const rows = counts.reduce((a, k) => a + Math.max(1, Math.ceil(k / cols)), 0)
    const w = (width - gapPx * (cols - 1)) / cols
    const h = (height - headerPx * counts.length - gapPx * (rows - 1 + counts.length)) / rows
    if (w <= 0 || h <= 0) continue
    // the tile keeps roughly the aspect; the smaller side decides readability
    const tileW = Math.min(w, h * aspect)
    const tileH = Math.min(h, w / aspect)
    if (tileW * tileH > best.tileW * best.tileH) best = { cols, tileW, tileH: h }
  }
  return best
}
