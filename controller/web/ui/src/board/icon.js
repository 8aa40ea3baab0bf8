// Element Plus icons are components: a tile draws two to five of them, so a 200-room board
// would make ~700 component instances for static pictures. Each icon is rendered once to its
// SVG vnode here and cloned where it is used (a functional component has no instance).
import { cloneVNode } from 'vue'

const drawn = new Map()

function svgOf(icon) {
  let vnode = drawn.get(icon)
  if (!vnode) {
    vnode = icon.setup({}, {})({}, [])
    drawn.set(icon, vnode)
  }
  return vnode
}

export function Ico(props) {
  return cloneVNode(svgOf(props.icon), { class: 'ico', 'aria-hidden': 'true' })
}
Ico.props = { icon: { type: Object, required: true } }
