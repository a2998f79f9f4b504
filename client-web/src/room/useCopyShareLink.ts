import { useCallback, useEffect, useRef, useState } from 'react';
import { shareUrl } from '../roomLink';

export type CopyState = 'idle' | 'copied' | 'failed';

/** How long "Copied!" / "Copy failed" stays on the button. */
const FEEDBACK_MS = 2500;

/** Copies the room's share link to the clipboard; `state` says how it went, for a moment. */
export function useCopyShareLink(roomId: string): { state: CopyState; copy: () => Promise<void> } {
  const [state, setState] = useState<CopyState>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const copy = useCallback(async () => {
    const url = shareUrl(window.location.origin, roomId);
    try {
      await navigator.clipboard.writeText(url);
      setState('copied');
    } catch {
      setState('failed'); // no permission, or not a secure context
    }
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), FEEDBACK_MS);
  }, [roomId]);
  return { state, copy };
}
