import desk from './desk.en'

export default {
  desk,
  app: { title: 'KTV desk', board: 'Board', members: 'Members', settings: 'Settings', signOut: 'Sign out', language: '中文' },
  role: { cashier: 'Cashier', waiter: 'Waiter', technician: 'Technician', manager: 'Manager', admin: 'Admin' },
  signIn: {
    title: 'Staff sign-in',
    staffId: 'Staff id',
    pin: 'PIN',
    submit: 'Sign in',
    failed: 'Sign-in failed',
  },
  state: {
    ROOM_STATE_IDLE: 'Idle',
    ROOM_STATE_RESERVED: 'Reserved',
    ROOM_STATE_IN_USE: 'In use',
    ROOM_STATE_CLEANING: 'Cleaning',
    ROOM_STATE_MAINTENANCE: 'Maintenance',
    TIME_UP: 'Time up',
    ALERT: 'Alert',
    OFFLINE: 'Offline',
  },
  common: { ok: 'OK', cancel: 'Cancel', retry: 'Retry', loading: 'Loading…', resultUnknown: 'The last action may not have finished: retry it (it will not charge twice)' },
}
