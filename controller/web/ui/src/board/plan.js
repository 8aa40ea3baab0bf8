// Placing one floor's rooms on its grid (Room.layout: 0-based column/row, width/height in
// cells; a room never placed has the default 0/0). A room whose cells are already taken (two
// rooms at the default 0/0, say) goes to the first free cells in reading order, so nothing
// overlaps on screen. The server stores what a manager saves; this only draws it. Returned
// col/row are 0-based like the API; CSS grid lines are col + 1.
import { byName } from '../lib/board'

export const MIN_COLS = 6
// places beyond these are drawn like unplaced rooms (a plan is a few dozen cells wide)
export const MAX_COLS = 24
export const MAX_ROWS = 40

function span(v) {
  const n = Number(v || 1)
  return Number.isFinite(n) && n >= 1 ? Math.min(Math.floor(n), 8) : 1
}

// `spare`: edit mode draws one more row and column of empty cells to drag rooms into.
export function placeFloor(rooms, { minCols = MIN_COLS, spare = false } = {}) {
  const sorted = [...rooms].sort(byName)
  let cols = minCols
  for (const r of sorted) {
    const c = Number(r.layout?.column || 0)
    if (c >= 0) cols = Math.min(MAX_COLS, Math.max(cols, c + span(r.layout?.width)))
  }
  const taken = new Set()
  const key = (c, r) => `${c},${r}`
  const fits = (c, r, w, h) => {
    if (!(c >= 0 && r >= 0 && c + w <= cols)) return false
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
    if (r + h <= MAX_ROWS && fits(c, r, w, h)) {
      take(c, r, w, h)
      items.push({ room, col: c, row: r, w, h, placed: true })
    } else {
      later.push({ room, w, h })
    }
  }
  for (const { room, w, h } of later) {
    let done = false
    for (let r = 0; !done; r++) {
      // (MAX_ROWS bounds only stored places: auto-placed rooms always find a row)
      for (let c = 0; c + w <= cols; c++) {
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
  for (const it of items) rows = Math.max(rows, it.row + it.h)
  if (spare) rows += 1
  if (spare && cols < MAX_COLS) cols += 1
  const free = []
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) if (!taken.has(key(c, r))) free.push({ col: c, row: r })
  return { cols, rows, items, free }
}

// The wall TV: how many columns make the biggest tiles when `counts` (rooms per floor) are
// stacked in sections of one header row each, in a width x height box.
export function fitWall(counts, width, height, { headerPx = 0, gapPx = 8, aspect = 1.3 } = {}) {
  const n = Math.max(1, counts.reduce((a, b) => a + b, 0))
  let best = { cols: 1, tileW: 0, tileH: 0, scale: 0 }
  for (let cols = 1; cols <= n; cols++) {
    const rows = counts.reduce((a, k) => a + Math.max(1, Math.ceil(k / cols)), 0)
    const w = (width - gapPx * (cols - 1)) / cols
    const h = (height - headerPx * counts.length - gapPx * (rows - 1 + counts.length)) / rows
    if (w <= 0 || h <= 0) continue
    // the scale of a tile of that aspect that fits the cell decides readability
    const scale = Math.min(w / aspect, h)
    if (scale > best.scale) best = { cols, tileW: w, tileH: h, scale }
  }
  return best
}
