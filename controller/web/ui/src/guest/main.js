// The guest's phone page (手机点歌, issue 25; docs/web.md "The guest page"): its own Vite entry (guest.html, served
// at /g/), Vue 3 + the Vant components it uses, no staff code.
import { createApp } from 'vue'
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import 'vant/es/notify/style'
import './guest.css'
import GuestApp from './GuestApp.vue'
import { lang, t } from './i18n'

document.documentElement.lang = lang.locale
const app = createApp(GuestApp)
app.config.globalProperties.$t = t
app.mount('#app')
