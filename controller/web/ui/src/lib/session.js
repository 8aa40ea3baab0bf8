// Who is signed in, and what the permission table lets their role do. The server refuses
// anything else anyway; the UI only hides what would be refused.
import { reactive } from 'vue'
import { http } from './api'

export const session = reactive({
  user: null, // {staff_id, display_name, role, expires_at, idle_timeout_s}
  methods: new Set(),
  checked: false,
})

function take(body) {
  session.user = body
  session.methods = new Set(body?.methods || [])
  session.checked = true
  return body
}

export async function loadSession() {
  try {
    return take(await http('GET', '/api/session'))
  } catch (e) {
    take(null)
    if (e.httpStatus !== 401) throw e
    return null
  }
}

export async function signIn(staffId, pin) {
  return take(await http('POST', '/api/session', { staff_id: staffId, pin }))
}

export async function signOut() {
  try {
    await http('DELETE', '/api/session')
  } finally {
    take(null)
  }
}

// can('BillingService/Checkout')
export function can(method) {
  return session.methods.has(method)
}
