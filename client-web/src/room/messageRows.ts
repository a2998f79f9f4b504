// The message list's rows: confirmed messages first, then the user's own
// messages the server has not confirmed yet (the outbox), oldest first.

import type { ChatMessage } from '../protocol';
import type { OutboxItem } from '../roomState';

export type MessageRow =
  | { kind: 'confirmed'; key: string; message: ChatMessage }
  | { kind: 'outbox'; key: string; item: OutboxItem };

export function messageRows(messages: ChatMessage[], outbox: OutboxItem[]): MessageRow[] {
  const rows: MessageRow[] = messages.map((message, i) => ({
    kind: 'confirmed',
    key: `m${i}-${message.ts}-${message.userId}`,
    message,
  }));
  for (const item of outbox) rows.push({ kind: 'outbox', key: item.id, item });
  return rows;
}

/** Hour and minute in the reader's locale; empty for a time that does not parse. */
export function formatTime(ts: string | number): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}
