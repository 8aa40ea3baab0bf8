// Which front-desk actions a room offers now: its state allows it (通娱's 要求房态, BOARD.md
// checklist 2) AND the signed-in role may call the RPC (session.can). The server checks both
// again; this only decides what to show, and says why an expected action is missing.
import { can } from '../lib/session'
import { lockOf } from '../lib/board'

export const IDLE = 'ROOM_STATE_IDLE'
export const RESERVED = 'ROOM_STATE_RESERVED'
export const IN_USE = 'ROOM_STATE_IN_USE'
export const CLEANING = 'ROOM_STATE_CLEANING'
export const MAINTENANCE = 'ROOM_STATE_MAINTENANCE'

// key -> [RPC, states it is offered in]; order = the order of the buttons.
export const ACTIONS = [
  ['open', 'BillingService/OpenSession', [IDLE, RESERVED]],
  ['order', 'BillingService/PlaceOrder', [IN_USE]],
  ['extend', 'BillingService/ExtendSession', [IN_USE]],
  ['checkout', 'BillingService/Checkout', [IN_USE]],
  ['pay', 'BillingService/TakePayment', [IN_USE]],
  ['guests', 'BillingService/SetGuestCount', [IN_USE]],
  ['move', 'BillingService/MoveSession', [IN_USE]],
  ['merge', 'BillingService/MergeSessions', [IN_USE]],
  ['member', 'MembersService/SignIn', [IN_USE]],
  ['benefits', 'MembersService/ApplyBenefits', [IN_USE]],
  ['discount', 'BillingService/ApplyDiscount', [IN_USE]],
  ['receipt', 'BillingService/PrintReceipt', [IN_USE]],
  ['cleanDone', 'RoomService/SetRoomState', [CLEANING]],
  ['reserve', 'RoomService/SetRoomState', [IDLE]],
  ['unreserve', 'RoomService/SetRoomState', [RESERVED]],
  ['maintenanceOn', 'RoomService/SetRoomState', [IDLE, CLEANING]],
  ['maintenanceOff', 'RoomService/SetRoomState', [MAINTENANCE]],
  ['lock', 'RoomService/SetRoomLock', [IDLE, RESERVED, CLEANING, MAINTENANCE]],
  ['unlock', 'RoomService/SetRoomLock', [IDLE, RESERVED, CLEANING, MAINTENANCE]],
]

// 锁房 is not a state: a locked room offers no opening and a release instead of a lock.
const NOT_WHEN_LOCKED = new Set(['open', 'reserve', 'lock'])
const ONLY_WHEN_LOCKED = new Set(['unlock'])

// The state each SetRoomState action asks for (ktvctl room state's table).
export const TARGET_STATE = {
  cleanDone: IDLE,
  reserve: RESERVED,
  unreserve: IDLE,
  maintenanceOn: MAINTENANCE,
  maintenanceOff: IDLE,
}

// Opening is what a cashier looks for first: where the state rules it out, say why.
const WHY_NOT_OPEN = { [CLEANING]: 'desk.why.cleaning', [MAINTENANCE]: 'desk.why.maintenance' }

export function actionsFor(room, allowed = can, nowMs = Date.now()) {
  const state = room?.state || ''
  const locked = !!lockOf(room, nowMs)
  const shown = ACTIONS.filter(
    ([key, method, states]) =>
      states.includes(state) &&
      allowed(method) &&
      !(locked ? NOT_WHEN_LOCKED : ONLY_WHEN_LOCKED).has(key),
  ).map(([key, method]) => ({ key, method }))
  let why = allowed('BillingService/OpenSession') ? WHY_NOT_OPEN[state] || '' : ''
  if (locked && allowed('BillingService/OpenSession') && [IDLE, RESERVED].includes(state)) why = 'desk.why.locked'
  return { shown, why }
}

// An alert staff clear by hand; the others clear when their condition ends.
export function canAcknowledge(alert) {
  return alert?.alert_kind === 'ALERT_KIND_SERVICE_CALLED' || alert?.kind === 'SERVICE_CALLED'
}
