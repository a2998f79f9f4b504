import type { RoomState } from '../roomState';
import type { ConnectionStatus, RoomSession } from '../session';
import { Composer } from './Composer';
import { ConnectionBanner } from './ConnectionBanner';
import { MemberList } from './MemberList';
import { MessageList } from './MessageList';
import { RoomHeader } from './RoomHeader';
import { ServerNotice } from './ServerNotice';
import { useStickToBottom } from './useStickToBottom';

/** The room once joined: it stays on screen through reconnects, with a banner saying so. */
export function JoinedRoom(props: {
  session: RoomSession;
  room: RoomState;
  roomId: string;
  status: ConnectionStatus;
}) {
  const { session, room, roomId, status } = props;
  const host = status.kind === 'connected' || status.kind === 'connecting' ? status.host : null;
  const list = useStickToBottom<HTMLDivElement>([
    room.messages,
    room.outbox,
    status.kind,
    room.notice,
  ]);

  function send(text: string): boolean {
    const taken = session.send(text);
    if (taken) list.stick(); // the sender wants to see what they sent
    return taken;
  }

  return (
    <section className="card room" aria-labelledby="room-title" data-testid="room-page">
      <RoomHeader roomId={roomId} />
      <div className="room-info">
        <div className="muted small" data-testid="room-host">
          {host ? `Connected to: ${host}` : 'Not connected'}
        </div>
        <MemberList users={room.users} selfId={room.selfId} />
      </div>
      <ConnectionBanner status={status} onReconnect={() => session.reconnectNow()} />
      <ServerNotice notice={room.notice} onDismiss={() => session.dismissNotice()} />
      <MessageList
        messages={room.messages}
        outbox={room.outbox}
        selfId={room.selfId}
        onRetry={(localId) => session.retry(localId)}
        onDiscard={(localId) => session.discard(localId)}
        listRef={list.ref}
        onScroll={list.onScroll}
      />
      <Composer maxLength={room.limits.maxMessageLength} onSend={send} />
    </section>
  );
}
