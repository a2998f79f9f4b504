import { useEffect, useState } from 'react';

/**
 * The time at this render; while `active` (a countdown is shown) the caller
 * re-renders 4 times a second. Read at render, not kept in state, so a
 * countdown that just appeared starts from the right number.
 */
export function useNow(active: boolean): number {
  const [, setTicks] = useState(0);
  useEffect(() => {
    if (!active) return;
    const id = window.setInterval(() => setTicks((n) => n + 1), 250);
    return () => window.clearInterval(id);
  }, [active]);
  return Date.now();
}
