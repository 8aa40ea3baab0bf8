// The guest's state: who joined which room (kept per join code in localStorage, never the
// credential: that is the HttpOnly cookie ktv_guest), the room's live view (GetRoomView polled
// every 2 s while the page is visible, paused while hidden), and whether the controller answers.
import { reactive } from 'vue'
import { ApiError, http, mutate, rpc } from '../lib/api'

export const POLL_MS = 2000
const RETRY_MAX_MS = 8000
const SAVED = 'ktv.guest.join'

export const guest = reactive({
  code: '', // the join code of the URL (?c=...)
  joined: null, // JoinRoomResponse without the credential: {room, room_name, nickname, permissions, ...}
  view: null, // GetRoomViewResponse
  offline: false, // the controller did not answer the last call
  ended: false, // the credential stopped working (checkout, revoked, next session)
  lastSeen: 0, // Date.now() of the last good view
})

export function codeFromUrl(href = window.location.href) {
  const url = new URL(href)
  return (url.searchParams.get('c') || '').trim().slice(0, 128)
}

export function restore(code) {
  guest.code = code
  try {
    const saved = JSON.parse(localStorage.getItem(SAVED) || 'null')
    if (saved && saved.code === code && saved.joined?.room) guest.joined = saved.joined
  } catch {
    localStorage.removeItem(SAVED)
  }
}

function forget() {
  localStorage.removeItem(SAVED)
}

export function lastNickname() {
  return localStorage.getItem('ktv.guest.nickname') || ''
}

export async function join(nickname) {
  // GuestService.JoinRoom: the web layer keeps the credential in the HttpOnly ktv_guest cookie
  // (the answer's credential is empty) and sets ktv_guest_csrf for the calls that follow
  const joined = await http('POST', '/api/v1/GuestService/JoinRoom', { code: guest.code, nickname })
  guest.joined = joined
  guest.ended = false
  localStorage.setItem(SAVED, JSON.stringify({ code: guest.code, joined }))
  localStorage.setItem('ktv.guest.nickname', joined.nickname || nickname)
  await refresh()
  return joined
}

export function room() {
  return guest.joined?.room || ''
}

export function permissions() {
  return guest.view?.permissions || guest.joined?.permissions || {}
}

// The credential is dead: 401 (GUEST_SESSION_ENDED at checkout, BAD_GUEST_CREDENTIAL when
// revoked). A 403 is one refusal (NOT_YOUR_SONG, PHONE_NOT_ALLOWED...), not the end of the visit.
function isDead(error) {
  return error instanceof ApiError && error.httpStatus === 401
}

// The controller did not answer (network, proxy, restart): say so and retry. A 503 that
// carries a reason is the controller answering (e.g. a part of it is unavailable).
export function isUnreachable(error) {
  if (!(error instanceof ApiError)) return false
  const s = error.httpStatus
  return s === 0 || s === 502 || s === 504 || (s === 503 && error.reason === 'HTTP_503')
}

function end() {
  guest.ended = true
  guest.view = null
  forget()
  stopPolling()
}

export async function refresh() {
  if (!room()) return
  try {
    const view = await rpc('GuestService/GetRoomView', { room: room() })
    guest.offline = false
    guest.lastSeen = Date.now()
    if (!view.session_open) {
      end()
      return
    }
    guest.view = view
  } catch (error) {
    if (isDead(error)) end()
    else if (isUnreachable(error)) guest.offline = true
    else throw error
  }
}

// A guest action: marks the controller unreachable or the visit ended as a side effect, and
// rethrows for the page to show.
export async function act(path, body) {
  try {
    const answer = await mutate(path, body)
    guest.offline = false
    return answer
  } catch (error) {
    if (isDead(error)) end()
    else if (isUnreachable(error)) guest.offline = true
    throw error
  }
}

export async function read(path, body) {
  try {
    const answer = await rpc(path, body)
    guest.offline = false
    return answer
  } catch (error) {
    if (isDead(error)) end()
    else if (isUnreachable(error)) guest.offline = true
    throw error
  }
}

let timer = 0
let running = false
let failures = 0

async function tick() {
  timer = 0
  if (!running) return
  try {
    await refresh()
  } catch {
    // a refusal we do not know: keep polling, the page shows the last view
  }
  failures = guest.offline ? failures + 1 : 0
  if (!running || guest.ended) return
  const wait = guest.offline ? Math.min(RETRY_MAX_MS, POLL_MS * 2 ** Math.min(failures, 2)) : POLL_MS
  if (!document.hidden) timer = setTimeout(tick, wait) // hidden: onVisibility restarts
}

function onVisibility() {
  if (document.hidden) {
    clearTimeout(timer)
    timer = 0
  } else if (running && !timer) {
    tick()
  }
}

export function startPolling() {
  if (running) return
  running = true
  document.addEventListener('visibilitychange', onVisibility)
  if (!document.hidden) tick()
}

export function stopPolling() {
  running = false
  clearTimeout(timer)
  timer = 0
  document.removeEventListener('visibilitychange', onVisibility)
}

// Retry now (the offline banner's button).
export function retryNow() {
  clearTimeout(timer)
  timer = 0
  if (running) tick()
}
