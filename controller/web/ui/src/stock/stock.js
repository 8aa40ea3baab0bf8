// Shared by the stock pages: the items (from ListStockLevels), locations, small formatters.
// Business rules stay on the server: quantities go as typed text with their unit, and the
// server converts, checks and refuses.
import { ref } from 'vue'
import { rpc } from '../lib/api'

export const LOCATIONS = ['store', 'bar']

export function num(v) {
  const n = typeof v === 'string' ? Number(v) : v || 0
  return Number.isFinite(n) ? n : 0
}

// every stock item with its level, reloaded on demand; shared by the tabs of one page
export function useLevels() {
  const levels = ref([])
  const loading = ref(false)
  const error = ref('')
  async function load() {
    loading.value = true
    error.value = ''
    try {
      levels.value = (await rpc('InventoryService/ListStockLevels', {})).levels || []
    } catch (e) {
      error.value = e.message || String(e)
    } finally {
      loading.value = false
    }
  }
  return { levels, loading, error, load }
}

export function itemLabel(item) {
  return item ? `${item.name}` : ''
}

export function unitsOf(item) {
  if (!item) return []
  const units = [item.base_unit]
  if (item.purchase_unit && num(item.purchase_factor) > 1) units.push(item.purchase_unit)
  return units
}

export function when(iso, locale) {
  if (!iso) return ''
  const d = new Date(iso)
  return d.toLocaleString(locale === 'en' ? 'en-GB' : 'zh-CN', {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  })
}

// ExportPurchaseOrder's bytes arrive base64 in proto3 JSON
export function download(base64, filename) {
  const bin = atob(base64 || '')
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  const url = URL.createObjectURL(new Blob([bytes]))
  const a = document.createElement('a')
  a.href = url
  a.download = filename || 'export'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
