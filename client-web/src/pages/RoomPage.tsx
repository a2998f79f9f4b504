// The room page (/room/:roomId): a full-page status card until the first
// snapshot, then the room. The pieces live in ../room/.
import { useEffect } from 'react';
import { useParams } from 'react-router-dom';
import { useAuth } from '../auth';
import { JoinedRoom } from '../room/JoinedRoom';
import { RoomStatusCard } from '../room/RoomStatusCard';
import { STARTING_VIEW, pendingNote, statusCardView } from '../room/connectionStatusView';
import { useNow } from '../room/useNow';
import { useRoomSession, useSessionSnapshot } from '../room/useRoomSession';
import type { RoomSession } from '../session';

export function RoomPage() {
  const { roomId = '' } = useParams();
  const { token, userId, logout } = useAuth();
  const session = useRoomSession(roomId, token, userId);
  if (!session) return <RoomStatusCard view={STARTING_VIEW} />;
  return <RoomView key={roomId} session={session} roomId={roomId} onUnauthorized={logout} />;
}

function RoomView(props: { session: RoomSession; roomId: string; onUnauthorized: () => void }) {
  const { session, roomId, onUnauthorized } = props;
  const { status, room } = useSessionSnapshot(session);
  const now = useNow(!room.joined && status.kind === 'waiting'); // the card's countdown

  useEffect(() => {
    if (status.kind === 'unauthorized') onUnauthorized();
  }, [status.kind, onUnauthorized]);

  if (!room.joined) {
    // messages kept from before a reload wait for the room: say so
    const view = { ...statusCardView(status, roomId, now), note: pendingNote(room.outbox.length) };
    return <RoomStatusCard view={view} onAction={() => session.reconnectNow()} />;
  }
  return <JoinedRoom session={session} room={room} roomId={roomId} status={status} />;
}
