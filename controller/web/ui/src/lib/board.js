// The live board (docs/web.md "Live board"): one EventSource on /api/board/events per page.
// The server sends `snapshot` (the whole board) first, then `change` / `removed` keyed by room
// name; each Room carries a `revision`, so a late message never overwrites a newer record. A
// lost stream reconnects by itself with backoff and gets a fresh snapshot; meanwhile the board
// says "stale since hh:mm" and the desk is read-only (`board.stale`).
//
// Runs for days on a wall TV: the rooms map is keyed by name (bounded by the venue), there is
// one stream, one reconnect timer and one clock timer, all released when the last user leaves.
import { reactive, shallowReactive, markRaw } from 'vue'
import { http } from './api'

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]
// Tiles show minutes: a 5 s tick keeps them right without repainting 200 tiles every second.
export const TICK_MS = 5000

export const board = reactive({
  rooms: shallowReactive(new Map()), // name -> Room (proto JSON, frozen)
  live: false, // snapshot received and the stream is open
  staleSince: null, // Date when the board stopped being live (null while live)
  everLive: false,
  signedOut: false, // the staff session is gone (401): the page sends the user to sign in
  keyRefused: false, // the wall key is unknown or revoked (the wall says so and keeps trying)
  now: Date.now(), // the clock tick for elapsed / time left; not a re-fetch
  lastEventAt: 0, // performance.now() of the last applied message
  lastSendTime: '', // the server's send_time of the last applied message
  messages: 0, // how many messages were applied (for tests and benchmarks)
  reconnects: 0,
})

// True when the desk must not act: the picture may be old.
export function isStale() {
  return !board.live
}

let source = null
let wallKey = ''
let users = 0
let retry = 0
let retryTimer = 0
let clockTimer = 0

function freeze(room) {
  return markRaw(Object.freeze(room))
}

function rev(room) {
  // int64 arrives as a string in proto JSON
  return Number(room?.revision || 0)
}

export function applyMessage(kind, msg) {
  const rooms = msg?.rooms || []
  if (kind === 'snapshot') {
    const seen = new Set()
    for (const r of rooms) {
      seen.add(r.name)
      board.rooms.set(r.name, freeze(r))
    }
    for (const name of [...board.rooms.keys()]) if (!seen.has(name)) board.rooms.delete(name)
  } else if (kind === 'change') {
    for (const r of rooms) {
      const old = board.rooms.get(r.name)
      if (old && rev(old) > rev(r)) continue // stale: a newer record is already shown
      board.rooms.set(r.name, freeze(r))
    }
  } else if (kind === 'removed') {
    for (const r of rooms) {
      const old = board.rooms.get(r.name)
      if (old && rev(old) > rev(r)) continue
      board.rooms.delete(r.name)
    }
  } else {
    return
  }
  board.messages += 1
  board.lastEventAt = performance.now()
  board.lastSendTime = msg?.send_time || ''
}

function goStale() {
  if (board.live || !board.staleSince) board.staleSince = new Date()
  board.live = false
}

function handler(kind) {
  return (ev) => {
    let msg
    try {
      msg = JSON.parse(ev.data)
    } catch {
      return // a broken message: the next snapshot repairs the picture
    }
    applyMessage(kind, msg)
    if (kind === 'snapshot') {
      board.keyRefused = false
      board.live = true
      board.everLive = true
      board.staleSince = null
      retry = 0
    }
  }
}

function url() {
  return wallKey ? `/api/board/events?wall=${encodeURIComponent(wallKey)}` : '/api/board/events'
}

function open() {
  close()
  const es = new EventSource(url(), { withCredentials: false })
  es.addEventListener('snapshot', handler('snapshot'))
  es.addEventListener('change', handler('change'))
  es.addEventListener('removed', handler('removed'))
  es.onerror = () => {
    // EventSource retries by itself only sometimes (never after an HTTP error): own it.
    if (source !== es) return
    goStale()
    close()
    schedule()
    checkAccess()
  }
  source = es
}

function close() {
  if (source) {
    source.onerror = null
    source.close()
    source = null
  }
}

function schedule() {
  clearTimeout(retryTimer)
  const base = BACKOFF_MS[Math.min(retry, BACKOFF_MS.length - 1)]
  retry += 1
  board.reconnects += 1
  // jitter so 20 screens do not come back in the same millisecond
  retryTimer = setTimeout(open, base + Math.floor(Math.random() * base * 0.25))
}

// EventSource hides the HTTP status of a refused stream: ask a cheap GET that says it.
async function checkAccess() {
  const key = wallKey
  try {
    if (key) await http('GET', `/api/v1/RoomService/ListRooms?page_size=1&wall=${encodeURIComponent(key)}`)
    else await http('GET', '/api/session')
    board.keyRefused = false
  } catch (e) {
    const refused = e.httpStatus === 401 || e.httpStatus === 403
    if (key) board.keyRefused = refused
    else if (e.httpStatus === 401) board.signedOut = true
  }
}

function tick() {
  board.now = Date.now()
}

// A page that shows the board calls acquire() when mounted and release() when it leaves.
export function acquireBoard({ wall = '' } = {}) {
  users += 1
  if (users === 1 || wall !== wallKey) {
    wallKey = wall
    board.signedOut = false
    if (!board.staleSince) board.staleSince = new Date()
    board.live = false
    retry = 0
    open()
  }
  if (!clockTimer) {
    tick()
    clockTimer = setInterval(tick, TICK_MS)
  }
}

export function releaseBoard() {
  users = Math.max(0, users - 1)
  if (users > 0) return
  close()
  clearTimeout(retryTimer)
  retryTimer = 0
  clearInterval(clockTimer)
  clockTimer = 0
  board.live = false
}

// Reconnect now (the "retry" on the stale banner), instead of waiting for the backoff.
export function reconnectNow() {
  clearTimeout(retryTimer)
  retry = 0
  open()
}

// ---- what a room looks like on the board (presentation only; the server owns every rule) ----

export const STATES = [
  'ROOM_STATE_IDLE',
  'ROOM_STATE_RESERVED',
  'ROOM_STATE_IN_USE',
  'ROOM_STATE_CLEANING',
  'ROOM_STATE_MAINTENANCE',
]
export const OVERLAYS = ['TIME_UP', 'ALERT', 'OFFLINE']

export function floorOf(room) {
  return room?.layout?.floor || '1F'
}

export function alertKinds(room) {
  return (room?.alerts || []).map((a) => a.alert_kind || `ALERT_KIND_${a.kind || 'UNSPECIFIED'}`)
}

export function isOffline(room) {
  return !room?.agent?.online
}

// Minutes left of bought time (negative: overtime), or null when the session has no end.
export function minutesLeft(room, nowMs) {
  if (room?.state !== 'ROOM_STATE_IN_USE' || !room.session_end_time) return null
  const end = Date.parse(room.session_end_time)
  if (!Number.isFinite(end) || end <= 0) return null
  const ms = end - nowMs
  return ms >= 0 ? Math.ceil(ms / 60000) : -Math.ceil(-ms / 60000)
}

export function isTimeUp(room, nowMs) {
  if (alertKinds(room).includes('ALERT_KIND_TIME_UP')) return true
  const left = minutesLeft(room, nowMs)
  return left !== null && left <= 0
}

// Alerts other than time-up and agent-offline, which have their own overlay.
export function otherAlerts(room) {
  return alertKinds(room).filter((k) => k !== 'ALERT_KIND_TIME_UP' && k !== 'ALERT_KIND_AGENT_OFFLINE')
}

export function overlaysOf(room, nowMs) {
  const out = []
  if (isTimeUp(room, nowMs)) out.push('TIME_UP')
  if (otherAlerts(room).length) out.push('ALERT')
  if (isOffline(room)) out.push('OFFLINE')
  return out
}

export function needsAttention(room, nowMs) {
  return overlaysOf(room, nowMs).length > 0
}

// Natural order: A2 before A10.
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' })
export function byName(a, b) {
  return collator.compare(a.name, b.name)
}

export function roomId(room) {
  return String(room?.name || '').replace(/^rooms\//, '')
}

export function label(room) {
  return room?.display_name || roomId(room)
}
