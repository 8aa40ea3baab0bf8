// The live board (docs/web.md "Live board"): ONE EventSource on /api/board/events per browser
// profile and credential, however many tabs show the board. HTTP/1.1 allows 6 connections per
// host: a desk with several tabs must not spend one each on the same stream. The tabs elect a
// leader with the Web Locks API (an exclusive lock per credential; the lock is released when
// its tab closes or leaves the board, and the next tab waiting gets it); the leader holds the
// EventSource and relays every message on a BroadcastChannel; a tab that joins asks and gets
// the board as the leader has it. Without Web Locks or BroadcastChannel each tab has its own.
//
// The server sends `ping` (data {every_s}) first and every every_s seconds, `snapshot` (the
// whole board), then `change` / `removed` keyed by room name; each Room carries a `revision`,
// so a late message never overwrites a newer record. A stream that says nothing for
// 2 x every_s + 2 s is half-open (a dead NAT, a stopped server): the board goes stale and the
// leader reconnects. A lost stream reconnects by itself with backoff and gets a fresh
// snapshot; meanwhile the board says "stale since hh:mm" and the desk is read-only.
//
// Runs for days on a wall TV: the rooms map is keyed by name (bounded by the venue), there is
// one stream, one reconnect timer, one watchdog and one clock timer, all released when the
// last user leaves.
import { reactive, shallowReactive, markRaw } from 'vue'
import { http } from './api'

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000, 30000]
// Tiles show minutes: a 5 s tick keeps them right without repainting 200 tiles every second.
export const TICK_MS = 5000
const WATCHDOG_MS = 1000
const DEFAULT_PING_S = 15

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
  stream: '', // 'leader' (this tab holds the stream), 'follower' (another tab relays), 'own'
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
let watchdogTimer = 0
let pingEveryS = DEFAULT_PING_S
let heardAt = 0 // performance.now() of the last byte of news (any message, pings too)
let channel = null // BroadcastChannel of this credential's tabs
let lockAbort = null // AbortController of this tab's place in the queue for the lock
let unlock = null // resolves the held lock (leader only)

const sharing = () => typeof BroadcastChannel !== 'undefined' && !!globalThis.navigator?.locks

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

function status() {
  return {
    live: board.live,
    staleSince: board.staleSince ? board.staleSince.getTime() : 0,
    everLive: board.everLive,
    signedOut: board.signedOut,
    keyRefused: board.keyRefused,
  }
}

function relay(message) {
  if (channel && board.stream === 'leader') channel.postMessage(message)
}

function goStale() {
  if (board.live || !board.staleSince) board.staleSince = new Date()
  board.live = false
  relay({ type: 'status', ...status() })
}

// One message of the stream (the leader's own, or relayed to a follower).
function receive(kind, data) {
  heardAt = performance.now()
  let msg
  try {
    msg = JSON.parse(data)
  } catch {
    return // a broken message: the next snapshot repairs the picture
  }
  if (kind === 'ping') {
    const every = Number(msg?.every_s)
    if (every > 0) pingEveryS = every
    return
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

function handler(kind) {
  return (ev) => {
    receive(kind, ev.data)
    relay({ type: 'msg', kind, data: ev.data })
  }
}

function url() {
  return wallKey ? `/api/board/events?wall=${encodeURIComponent(wallKey)}` : '/api/board/events'
}

function open() {
  close()
  const es = new EventSource(url(), { withCredentials: false })
  for (const kind of ['ping', 'snapshot', 'change', 'removed']) es.addEventListener(kind, handler(kind))
  es.onerror = () => {
    // EventSource retries by itself only sometimes (never after an HTTP error): own it.
    if (source !== es) return
    lost()
  }
  source = es
  heardAt = performance.now()
}

function lost() {
  goStale()
  close()
  schedule()
  checkAccess()
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

// Silence longer than two pings and a margin: the stream is half-open. The leader (or a tab
// with its own stream) drops it and reconnects; a follower shows stale and asks again.
function watchdog() {
  if (!board.live) return
  if (performance.now() - heardAt <= (2 * pingEveryS + 2) * 1000) return
  if (board.stream === 'follower') {
    goStale()
    channel?.postMessage({ type: 'hello' })
  } else {
    lost()
  }
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
  relay({ type: 'status', ...status() })
}

function tick() {
  board.now = Date.now()
}

// ---- one stream per credential across tabs ----

function channelName() {
  // the key itself stays out of the name: its length and a cheap hash tell keys apart
  if (!wallKey) return 'ktv-board:staff'
  let h = 0
  for (const c of wallKey) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0
  return `ktv-board:wall:${wallKey.length}:${h >>> 0}`
}

function onRelay(ev) {
  const m = ev.data || {}
  if (board.stream === 'leader') {
    if (m.type === 'hello') {
      // a tab joined (or its picture went stale): the board as this tab has it
      relay({ type: 'status', ...status() })
      if (board.live) {
        const rooms = [...board.rooms.values()]
        const data = JSON.stringify({ kind: 'KIND_SNAPSHOT', rooms, send_time: board.lastSendTime })
        relay({ type: 'msg', kind: 'snapshot', data })
        relay({ type: 'msg', kind: 'ping', data: JSON.stringify({ every_s: pingEveryS }) })
      }
    }
    return
  }
  if (m.type === 'msg') receive(m.kind, m.data)
  else if (m.type === 'status') {
    heardAt = performance.now()
    board.signedOut = m.signedOut
    board.keyRefused = m.keyRefused
    if (!m.live) {
      if (board.live || !board.staleSince) board.staleSince = m.staleSince ? new Date(m.staleSince) : new Date()
      board.live = false
    }
    board.everLive = board.everLive || m.everLive
  }
}

function lead() {
  board.stream = 'leader'
  retry = 0
  open() // keeps showing the relayed picture until its own snapshot replaces it
  return new Promise((resolve) => {
    unlock = resolve
  })
}

function start() {
  if (!sharing()) {
    board.stream = 'own'
    open()
    return
  }
  board.stream = 'follower'
  const name = channelName()
  channel = new BroadcastChannel(name)
  channel.onmessage = onRelay
  lockAbort = new AbortController()
  navigator.locks.request(name, { signal: lockAbort.signal }, lead).catch(() => {})
  channel.postMessage({ type: 'hello' })
  heardAt = performance.now()
}

function stop() {
  close()
  clearTimeout(retryTimer)
  retryTimer = 0
  if (unlock) {
    unlock()
    unlock = null
  }
  if (lockAbort) {
    lockAbort.abort()
    lockAbort = null
  }
  if (channel) {
    channel.close()
    channel = null
  }
  board.stream = ''
}

// The router calls this for the board's route before it checks the session: the stream (and
// its snapshot) is on its way while the session answer and the page's code arrive, instead of
// after them (the server checks the cookie itself). Nobody acquires within 10 s: it closes.
let prewarmed = false
let prewarmTimer = 0
export function prewarmBoard() {
  if (users > 0 || prewarmed) return
  prewarmed = true
  stop()
  wallKey = ''
  board.signedOut = false
  start()
  prewarmTimer = setTimeout(() => {
    prewarmed = false
    if (users === 0) stop()
  }, 10000)
}

// A page that shows the board calls acquire() when mounted and release() when it leaves.
export function acquireBoard({ wall = '' } = {}) {
  users += 1
  const warm = prewarmed && users === 1 && wall === wallKey && !board.signedOut && !board.keyRefused
  clearTimeout(prewarmTimer)
  prewarmed = false
  if (!warm && (users === 1 || wall !== wallKey)) {
    stop()
    wallKey = wall
    board.signedOut = false
    if (!board.staleSince) board.staleSince = new Date()
    board.live = false
    retry = 0
    start()
  }
  if (!clockTimer) {
    tick()
    clockTimer = setInterval(tick, TICK_MS)
  }
  if (!watchdogTimer) watchdogTimer = setInterval(watchdog, WATCHDOG_MS)
}

export function releaseBoard() {
  users = Math.max(0, users - 1)
  if (users > 0) return
  stop()
  clearInterval(clockTimer)
  clockTimer = 0
  clearInterval(watchdogTimer)
  watchdogTimer = 0
  board.live = false
}

// Reconnect now (the "retry" on the stale banner), instead of waiting for the backoff.
export function reconnectNow() {
  if (board.stream === 'follower') {
    channel?.postMessage({ type: 'hello' })
    return
  }
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

// 锁房 (RoomService.SetRoomLock): the lock in force, or null (none, or its until has passed).
export function lockOf(room, nowMs = Date.now()) {
  const lock = room?.lock
  if (!lock) return null
  if (lock.until_time && Date.parse(lock.until_time) <= nowMs) return null
  return lock
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
