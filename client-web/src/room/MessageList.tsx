import { useMemo, type Ref } from 'react';
import type { ChatMessage } from '../protocol';
import type { OutboxItem } from '../roomState';
import { MessageBubble } from './MessageBubble';
import { formatTime, messageRows } from './messageRows';

/** The room's log: confirmed messages, then the user's own unconfirmed ones. */
export function MessageList(props: {
  messages: ChatMessage[];
  outbox: OutboxItem[];
  selfId: string;
  onRetry: (id: string) => void;
  onDiscard: (id: string) => void;
  listRef: Ref<HTMLDivElement>;
  onScroll: () => void;
}) {
  const { messages, outbox, selfId, onRetry, onDiscard } = props;
  const rows = useMemo(() => messageRows(messages, outbox), [messages, outbox]);
  return (
    <div
      className="messages"
      ref={props.listRef}
      onScroll={props.onScroll}
      role="log"
      aria-live="polite"
      aria-label="Messages"
      data-testid="message-list"
      tabIndex={0}
    >
      {rows.length === 0 && <p className="muted center empty">No messages yet. Say hello!</p>}
      {rows.map((row) =>
        row.kind === 'confirmed' ? (
          <MessageBubble
            key={row.key}
            author={row.message.userId}
            text={row.message.msg}
            time={formatTime(row.message.ts)}
            own={row.message.userId === selfId}
            status="sent"
          />
        ) : (
          <MessageBubble
            key={row.key}
            author={selfId}
            text={row.item.text}
            time={formatTime(row.item.createdAt)}
            own
            status={row.item.status}
            error={row.item.error?.message}
            onRetry={() => onRetry(row.item.id)}
            onDiscard={() => onDiscard(row.item.id)}
          />
        ),
      )}
    </div>
  );
}
