import { createApp } from 'vue'
import 'element-plus/theme-chalk/dark/css-vars.css'
import './styles.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './lib/i18n'

createApp(App).use(router).use(i18n).mount('#app')
