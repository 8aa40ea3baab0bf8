// ktv-draw-v1 in the browser (controller/club/draws.py, docs/guest.md): a drawn draw's revealed
// seed is checked against the commitment shown since its creation, and its winners are drawn
// again here from the seed and the published entrants. Pure: no Vue, no fetch. sha256 is written
// out because crypto.subtle exists only in a secure context (the desk is plain http on the LAN).

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])

const rotr = (x, n) => (x >>> n) | (x << (32 - n))

// sha256 of a Uint8Array -> Uint8Array(32)
export function sha256(bytes) {
  const bitLen = bytes.length * 8
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64)
  padded.set(bytes)
  padded[bytes.length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, Math.floor(bitLen / 0x100000000))
  view.setUint32(padded.length - 4, bitLen >>> 0)
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ])
  const w = new Uint32Array(64)
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4)
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3)
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10)
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0
    }
    let [a, b, c, d, e, f, g, hh] = h
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      const ch = (e & f) ^ (~e & g)
      const t1 = (hh + S1 + ch + K[i] + w[i]) >>> 0
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) >>> 0
      hh = g
      g = f
      f = e
      e = (d + t1) >>> 0
      d = c
      c = b
      b = a
      a = (t1 + t2) >>> 0
    }
    ;[a, b, c, d, e, f, g, hh].forEach((v, i) => (h[i] = (h[i] + v) >>> 0))
  }
  const out = new Uint8Array(32)
  const ov = new DataView(out.buffer)
  h.forEach((v, i) => ov.setUint32(i * 4, v))
  return out
}

export const toHex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')

function fromHex(hex) {
  const s = String(hex || '').toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(s)) return null // a seed is 32 bytes
  return Uint8Array.from(s.match(/../g).map((x) => parseInt(x, 16)))
}

const utf8 = (s) => new TextEncoder().encode(s)

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i]
  return a.length - b.length
}

// deduplicated, sorted by UTF-8 bytes (the Python side sorts the same way)
export function entrantOrder(entrants) {
  return [...new Set(entrants)].sort((x, y) => compareBytes(utf8(x), utf8(y)))
}

function u32(n) {
  return Uint8Array.of((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255)
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

const SPACE = 1n << 256n

export function drawWinners(seedHex, drawId, entrants, count) {
  const seed = fromHex(seedHex)
  if (!seed) return null
  const pool = entrantOrder(entrants)
  const did = utf8(drawId)
  const winners = []
  const wanted = Math.min(count, pool.length) // fixed before the pool shrinks
  for (let rank = 0; rank < wanted; rank++) {
    const n = BigInt(pool.length)
    const limit = SPACE - (SPACE % n)
    let x
    for (let counter = 0; ; counter++) {
      x = BigInt(`0x${toHex(sha256(concat(seed, did, u32(rank), u32(counter))))}`)
      if (x < limit) break
    }
    winners.push(pool.splice(Number(x % n), 1)[0])
  }
  return winners
}

// A drawn draw (the API's Draw message) -> {commitment, order, winners: bool, expected}
export function verifyDraw(draw) {
  const seed = fromHex(draw.seed)
  const drawId = String(draw.name || '').replace(/^draws\//, '')
  const entrants = draw.entrants || []
  const published = (draw.winners || []).map((w) => w.entrant)
  const expected = seed ? drawWinners(draw.seed, drawId, entrants, Number(draw.winner_count || 0)) : null
  const sorted = entrantOrder(entrants)
  return {
    commitment: !!seed && toHex(sha256(seed)) === String(draw.seed_sha256 || '').toLowerCase(),
    order: sorted.length === entrants.length && sorted.every((e, i) => e === entrants[i]),
    winners: !!expected && expected.length === published.length && expected.every((e, i) => e === published[i]),
    expected: expected || [],
  }
}
