// The one door to the controller's HTTP API (docs/web.md): every RPC is
// POST /api/v1/{Service}/{Method} with proto3 JSON (snake_case; int64 as strings, enums as
// names, timestamps RFC 3339). Errors come back as {reason, message, status}.

export class ApiError extends Error {
  constructor(httpStatus, body, requestId = '') {
    super(body?.message || `HTTP ${httpStatus}`)
    this.httpStatus = httpStatus
    this.reason = body?.reason || (httpStatus ? `HTTP_${httpStatus}` : 'NETWORK')
    this.status = body?.status || ''
    // Set when a mutation's answer was lost: retrying with the same id is safe (the server
    // answers the first result), pressing again with a new id is not.
    this.requestId = requestId
  }

  get resultUnknown() {
    return this.reason === 'RESULT_UNKNOWN'
  }
}

function cookie(name) {
  const hit = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`))
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : ''
}

// crypto.randomUUID needs a secure context; getRandomValues works everywhere.
export function newRequestId() {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export async function http(method, url, body, { requestId = '', timeoutMs = 15000 } = {}) {
  const headers = { Accept: 'application/json' }
  // The guest page (/g/) speaks as the phone even where the browser also holds a staff
  // session, with the phone's own CSRF cookie (cookies are per host, not per port).
  const asGuest = typeof window !== 'undefined' && window.location.pathname.startsWith('/g/')
  if (asGuest) headers['X-KTV-Guest'] = '1'
  if (method !== 'GET') {
    headers['Content-Type'] = 'application/json'
    headers['X-CSRF-Token'] = cookie(asGuest ? 'ktv_guest_csrf' : 'ktv_csrf')
  }
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), timeoutMs)
  let res
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: ctl.signal,
    })
  } catch (e) {
    // No answer: a mutation may or may not have happened.
    throw new ApiError(
      0,
      { reason: requestId ? 'RESULT_UNKNOWN' : 'NETWORK', message: String(e?.message || e) },
      requestId,
    )
  } finally {
    clearTimeout(timer)
  }
  if (res.status === 204) return null
  let data = null
  const text = await res.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = { message: text.slice(0, 200) }
    }
  }
  if (!res.ok) throw new ApiError(res.status, data, requestId)
  return data
}

// A read: rpc('RoomService/ListRooms', {page_size: 100})
export function rpc(path, body = {}) {
  return http('POST', `/api/v1/${path}`, body)
}

// A change: adds a request_id unless the caller keeps one (pass the same body again to retry
// an answer that was lost; the server replays the first result).
export function mutate(path, body = {}) {
  const withId = body.request_id ? body : { ...body, request_id: newRequestId() }
  return http('POST', `/api/v1/${path}`, withId, { requestId: withId.request_id })
}
