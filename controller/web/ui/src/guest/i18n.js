// A tiny i18n for the guest page (vue-i18n would be a third of the bundle): zh-CN by default,
// en when the phone asks for it or the guest switches. t('key', {n: 2}) fills {n}.
import { reactive } from 'vue'
import zhCN from './locales/zh-CN'
import en from './locales/en'

const MESSAGES = { 'zh-CN': zhCN, en }
const KEY = 'ktv.guest.locale'

function initial() {
  const saved = localStorage.getItem(KEY)
  if (saved === 'en' || saved === 'zh-CN') return saved
  return 'zh-CN'
}

export const lang = reactive({ locale: initial() })

export function t(key, params) {
  const text = MESSAGES[lang.locale][key] ?? MESSAGES['zh-CN'][key] ?? key
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''))
}

export function setLocale(locale) {
  lang.locale = locale === 'en' ? 'en' : 'zh-CN'
  localStorage.setItem(KEY, lang.locale)
  document.documentElement.lang = lang.locale
}
