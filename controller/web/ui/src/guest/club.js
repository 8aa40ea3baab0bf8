// The member signed in on this phone (GuestClubService, guestclub): their account, for the 我的
// page and the search page's ☆ (save to 我的歌单).
import { reactive } from 'vue'
import { read, room } from './store'

export const club = reactive({ account: null, checked: false })

export async function loadAccount() {
  try {
    const answer = await read('GuestClubService/GetMyAccount', { room: room() })
    club.account = answer.account?.member ? answer.account : null
  } catch {
    club.account = null // not signed in (or the controller is away: the banner says so)
  }
  club.checked = true
  return club.account
}
