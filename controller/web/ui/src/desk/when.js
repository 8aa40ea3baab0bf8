// Dates and times in the app's language (the browser's own locale may differ).
import { i18n } from '../lib/i18n'

const tag = () => (i18n.global.locale.value === 'en' ? 'en-GB' : 'zh-CN')

export function when(iso) {
  return iso ? new Date(iso).toLocaleString(tag(), { dateStyle: 'short', timeStyle: 'short' }) : ''
}

export function day(iso) {
  return iso ? new Date(iso).toLocaleDateString(tag()) : ''
}

export function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString(tag(), { hour: '2-digit', minute: '2-digit' }) : '—'
}
