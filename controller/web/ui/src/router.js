// Hash routes: the controller serves one index.html; nothing to configure on the server.
import { createRouter, createWebHashHistory } from 'vue-router'
import { session, loadSession } from './lib/session'
import { prewarmBoard } from './lib/board'

// the board is the first screen: its code is fetched while the session is checked (below)
const boardView = () => import('./board/BoardView.vue')

const routes = [
  { path: '/signin', component: () => import('./views/SignIn.vue'), meta: { public: true } },
  { path: '/', component: boardView },
  // the wall TV: no staff session, a read-only wall key in the query (?wall=KEY)
  { path: '/wall', component: () => import('./board/WallView.vue'), meta: { public: true, bare: true } },
  // one room's desk panel by address (links, bookmarks, browser tests)
  { path: '/room/:id', component: () => import('./desk/RoomPage.vue') },
  { path: '/members', component: () => import('./desk/MemberDesk.vue') },
  { path: '/settings', component: () => import('./desk/SettingsView.vue') },
  // reports (营业日报, periods, 交班): lazy, so ECharts downloads only here
  {
    path: '/reports',
    component: () => import('./reports/ReportsView.vue'),
    children: [
      { path: '', redirect: '/reports/day' },
      { path: 'day', component: () => import('./reports/DayReport.vue') },
      { path: 'period', component: () => import('./reports/PeriodReport.vue') },
      { path: 'shift', component: () => import('./reports/ShiftView.vue') },
    ],
  },
  // stock (src/stock): a phone's count sheet, and the desk's tabs
  { path: '/stock/count/:id', component: () => import('./stock/StockCount.vue'), meta: { bare: true } },
  { path: '/stock/:tab?', component: () => import('./stock/StockView.vue') },
  // 活动/抽奖 (managers) and 手机支付异常 (cashiers and up): src/club
  { path: '/draws', component: () => import('./club/DrawsView.vue') },
  { path: '/payment-issues', component: () => import('./club/PaymentIssues.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHashHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  if (!session.checked) {
    if (to.path === '/') {
      boardView()
      prewarmBoard() // the stream opens while the session is checked (lib/board.js)
    }
    try {
      await loadSession()
    } catch {
      /* the sign-in page shows the error */
    }
  }
  return session.user ? true : { path: '/signin', query: { next: to.fullPath } }
})
