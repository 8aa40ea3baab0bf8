// One front-desk action's life: busy, the server's error message, and a lost answer.
// A lost answer (RESULT_UNKNOWN) keeps the exact body, request_id included: the only way on
// is retry(), which sends it again and gets the first result back (the server's idempotency
// store), so a lost checkout never charges twice (BOARD.md checklist 18).
import { ref, computed } from 'vue'
import { mutate, newRequestId } from '../lib/api'

export function useAction() {
  const busy = ref(false)
  const error = ref('')
  const pending = ref(null) // {path, body, onDone}

  async function send(path, body, onDone) {
    error.value = ''
    busy.value = true
    try {
      const answer = await mutate(path, body)
      pending.value = null
      if (onDone) await onDone(answer)
      return answer
    } catch (e) {
      if (e.resultUnknown) pending.value = { path, body, onDone }
      else {
        pending.value = null
        error.value = e.message || String(e)
      }
      return undefined
    } finally {
      busy.value = false
    }
  }

  // A fresh press: a new request_id. Refused while an earlier answer is still unknown.
  function run(path, body, onDone) {
    if (pending.value) return Promise.resolve(undefined)
    return send(path, { ...body, request_id: newRequestId() }, onDone)
  }

  function retry() {
    const p = pending.value
    return p ? send(p.path, p.body, p.onDone) : Promise.resolve(undefined)
  }

  function clear() {
    error.value = ''
  }

  return { busy, error, pending, blocked: computed(() => busy.value || !!pending.value), run, retry, clear }
}
