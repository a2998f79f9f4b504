// The room page's connection: one RoomSession a (room, user), started on
// mount and stopped on unmount or when the room or the user changes.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { RoomSession, type SessionSnapshot } from '../session';

/** null until the session exists (first render) or while logged out. */
export function useRoomSession(
  roomId: string,
  token: string | null,
  userId: string | null,
): RoomSession | null {
  const [session, setSession] = useState<RoomSession | null>(null);
  useEffect(() => {
    if (!token || !userId) return;
    const s = new RoomSession(roomId, token, userId);
    setSession(s);
    s.start();
    return () => s.stop();
  }, [roomId, token, userId]);
  return session;
}

/** The session's status and room state, re-rendering on every change. */
export function useSessionSnapshot(session: RoomSession): SessionSnapshot {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}
