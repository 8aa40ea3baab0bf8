// 中文 (default). Keys are grouped by screen; every visible string comes from here or en.js.
import desk from './desk.zh-CN'

export default {
  desk,
  app: { title: 'KTV 前台', board: '房态', members: '会员', settings: '设置', signOut: '退出', language: 'English' },
  role: { cashier: '收银', waiter: '服务员', technician: '技术员', manager: '经理', admin: '管理员' },
  signIn: {
    title: '员工登录',
    staffId: '工号',
    pin: '密码',
    submit: '登录',
    failed: '登录失败',
  },
  state: {
    ROOM_STATE_IDLE: '空闲',
    ROOM_STATE_RESERVED: '预订',
    ROOM_STATE_IN_USE: '使用',
    ROOM_STATE_CLEANING: '清洁',
    ROOM_STATE_MAINTENANCE: '维修',
    TIME_UP: '到钟',
    ALERT: '告警',
    OFFLINE: '离线',
  },
  common: { ok: '确定', cancel: '取消', retry: '重试', loading: '加载中…', resultUnknown: '上一笔操作结果待确认，请重试（不会重复扣款）' },
}
