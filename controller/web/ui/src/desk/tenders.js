// Tender rows as the cashier types them -> TenderAmount JSON (money as int64 strings).
import { parseYuan } from '../lib/format'

export const TENDERS = [
  'TENDER_CASH',
  'TENDER_BANK_CARD',
  'TENDER_WECHAT',
  'TENDER_ALIPAY',
  'TENDER_UNIONPAY_QR',
  'TENDER_STORED_VALUE',
]

export function blankTender(tender = 'TENDER_CASH', yuanText = '') {
  return { tender, yuan: yuanText, reference: '', member: '', pin: '' }
}

// -> {tenders, bad}: bad names the first row whose amount is not an amount in yuan.
export function toTenders(rows) {
  const tenders = []
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]
    if (String(r.yuan ?? '').trim() === '') continue
    const fen = parseYuan(r.yuan)
    if (fen === null || fen <= 0) return { tenders: [], bad: i + 1 }
    const t = { tender: r.tender, amount_fen: String(fen) }
    if (r.tender === 'TENDER_STORED_VALUE') {
      t.member = r.member.trim()
      t.pin = r.pin
    } else if (r.tender !== 'TENDER_CASH' && r.reference.trim()) {
      t.reference = r.reference.trim()
    }
    tenders.push(t)
  }
  return { tenders, bad: 0 }
}
