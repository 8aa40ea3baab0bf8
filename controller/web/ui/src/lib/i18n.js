import { createI18n } from 'vue-i18n'
import zhCN from '../locales/zh-CN'
import en from '../locales/en'

const saved = localStorage.getItem('ktv.locale')

export const i18n = createI18n({
  legacy: false,
  locale: saved === 'en' ? 'en' : 'zh-CN',
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCN, en },
})

export function toggleLocale() {
  const next = i18n.global.locale.value === 'en' ? 'zh-CN' : 'en'
  i18n.global.locale.value = next
  localStorage.setItem('ktv.locale', next)
  document.documentElement.lang = next
}
