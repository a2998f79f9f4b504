// Auto-scroll of the message list: follow the newest message unless the
// reader scrolled up to read older ones.
import { useCallback, useLayoutEffect, useRef, type DependencyList } from 'react';

/** How close to the bottom (in px) still counts as "at the bottom". */
export const STICK_THRESHOLD_PX = 40;

export function isNearBottom(
  el: { scrollHeight: number; scrollTop: number; clientHeight: number },
  thresholdPx: number = STICK_THRESHOLD_PX,
): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight < thresholdPx;
}

/**
 * Scrolls the element to the bottom after every change in `changes` while the
 * reader is at the bottom. `onScroll` goes on the element; `stick()` follows
 * the bottom again (e.g. after the user sends a message).
 */
export function useStickToBottom<T extends HTMLElement>(changes: DependencyList) {
  const ref = useRef<T>(null);
  const stuck = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && stuck.current) el.scrollTop = el.scrollHeight;
    // the caller names what moves the list
  }, changes);

  const onScroll = useCallback(() => {
    if (ref.current) stuck.current = isNearBottom(ref.current);
  }, []);
  const stick = useCallback(() => {
    stuck.current = true;
  }, []);
  return { ref, onScroll, stick };
}
