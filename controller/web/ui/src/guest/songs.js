// Adding a song from the phone (QueueSong), shared by search and 我的歌单.
import { showToast } from 'vant'
import { act, guest, room } from './store'
import { errorText } from './errors'
import { t } from './i18n'

export async function queueSong(song, top = false) {
  if (guest.view && !guest.view.agent_online) {
    showToast({ message: t('banner.agent_offline'), type: 'fail' })
    return false
  }
  try {
    await act('GuestService/QueueSong', { room: room(), song_id: song.song_id, top })
    showToast({ message: t(top ? 'search.added_top' : 'search.added', { title: song.title }), type: 'success' })
    return true
  } catch (error) {
    showToast({ message: errorText(error), type: 'fail' })
    return false
  }
}

export const LANGUAGES = ['mandarin', 'cantonese', 'english', 'japanese', 'korean', 'hokkien']

export function languageName(code) {
  const key = `lang.${code}`
  const name = t(key)
  return name === key ? code : name
}
