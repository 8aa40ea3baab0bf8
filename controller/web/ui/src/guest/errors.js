// One line for a refused or failed call, in the guest's language: our words for the reasons a
// guest meets, else the controller's own message.
import { ApiError } from '../lib/api'
import { t } from './i18n'

export function errorText(error) {
  if (!(error instanceof ApiError)) return t('err.generic')
  if (error.httpStatus === 0) return t(error.resultUnknown ? 'err.unknown' : 'err.network')
  const key = `err.${error.reason}`
  const known = t(key)
  if (known !== key) return known
  if (error.httpStatus === 429) return t('err.too_many')
  if (error.httpStatus === 401) return t('err.ended')
  if (error.httpStatus === 502 || error.httpStatus === 504) return t('err.network')
  return error.message || t('err.generic')
}
