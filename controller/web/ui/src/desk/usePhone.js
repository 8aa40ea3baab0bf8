// Phone-sized screens get full-screen sheets and full-width forms.
import { ref, onMounted, onBeforeUnmount } from 'vue'

export function usePhone(query = '(max-width: 640px)') {
  const phone = ref(window.matchMedia(query).matches)
  let mq
  const update = (e) => (phone.value = e.matches)
  onMounted(() => {
    mq = window.matchMedia(query)
    phone.value = mq.matches
    mq.addEventListener('change', update)
  })
  onBeforeUnmount(() => mq?.removeEventListener('change', update))
  return phone
}
