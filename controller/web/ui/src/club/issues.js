// The open phone-payment issues, shared by the nav badge and the page (one poll for both).
import { reactive } from 'vue'
import { rpc } from '../lib/api'

export const openIssues = reactive({ count: 0, loaded: false })

export async function countOpenIssues() {
  try {
    const answer = await rpc('PaymentService/ListPaymentIssues', { page_size: 500 })
    openIssues.count = (answer.issues || []).length
    openIssues.loaded = true
  } catch {
    /* the badge keeps its last count; the page shows the error */
  }
}
