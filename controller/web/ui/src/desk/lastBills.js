// The bill a room just closed, kept for the session of this page: refunds and a reprinted
// receipt start from it (the room itself no longer points at a bill once it is checked out).
const last = new Map()

export function rememberBill(room, bill) {
  last.set(room, bill)
}

export function lastBillOf(room) {
  return last.get(room) || null
}
