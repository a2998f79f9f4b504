import { useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useAuth } from '../auth';
import type { ChatMessage } from '../protocol';
import type { OutboxItem, RoomState } from '../roomState';
import { shareUrl } from '../roomLink';
import { RoomSession, type ConnectionStatus } from '../session';

function formatTime(ts: string | number): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
}

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const id = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(id);
  }, [active]);
  return now;
}

export function RoomPage() {
  const { roomId = '' } = useParams();
  const { token, userId, logout } = useAuth();
  const [session, setSession] = useState<RoomSession | null>(null);

  useEffect(() => {
    if (!token || !userId) return;
    const s = new RoomSession(roomId, token, userId);
    setSession(s);
    s.start();
    return () => s.stop();
  }, [roomId, token, userId]);

  if (!session) return <StatusCard state="connecting" title="Connecting…" spinner />;
  return <RoomView key={roomId} session={session} roomId={roomId} selfId={userId ?? ''} onUnauthorized={logout} />;
}

function StatusCard(props: {
  state: string;
  title: string;
  text?: string;
  spinner?: boolean;
  children?: React.ReactNode;
}) {
  return (
    <section
      className="card card-narrow status-card"
      data-testid="room-status"
      data-state={props.state}
      aria-live="polite"
      aria-busy={props.spinner ? true : undefined}
    >
      {props.spinner && <div className="spinner" aria-hidden="true" />}
      <h1>{props.title}</h1>
      {props.text && <p className="muted">{props.text}</p>}
      <div className="row center-row">
        {props.children}
        <Link className="btn btn-secondary" to="/" data-testid="back-to-lobby">
          Back to Lobby
        </Link>
      </div>
    </section>
  );
}

function secondsLeft(status: ConnectionStatus, now: number): number {
  return status.kind === 'waiting' ? Math.max(0, Math.ceil((status.retryAt - now) / 1000)) : 0;
}

function RoomView(props: { session: RoomSession; roomId: string; selfId: string; onUnauthorized: () => void }) {
  const { session, roomId, selfId, onUnauthorized } = props;
  const { status, room } = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const now = useNow(status.kind === 'waiting');

  useEffect(() => {
    if (status.kind === 'unauthorized') onUnauthorized();
  }, [status.kind, onUnauthorized]);

  const reconnect = () => session.reconnectNow();

  // Before the first snapshot: full-page states
  if (!room.joined) {
    switch (status.kind) {
      case 'not_found':
        return (
          <StatusCard
            state="not-found"
            title="Room Not Found"
            text={`The room "${roomId}" does not exist or has ended.`}
          />
        );
      case 'rejected':
        return (
          <StatusCard state="rejected" title="Cannot Join Room" text={status.reason}>
            <button type="button" className="btn btn-primary" onClick={reconnect} data-testid="retry">
              Try again
            </button>
          </StatusCard>
        );
      case 'failed':
        return (
          <StatusCard state="error" title="Connection Error" text={status.reason}>
            <button type="button" className="btn btn-primary" onClick={reconnect} data-testid="retry">
              Retry
            </button>
          </StatusCard>
        );
      case 'waiting':
        return (
          <StatusCard
            state="waiting"
            title="Connection Error"
            text={`${status.reason}. Retrying in ${secondsLeft(status, now)} s… (attempt ${status.attempt})`}
          >
            <button type="button" className="btn btn-primary" onClick={reconnect} data-testid="reconnect-now">
              Retry now
            </button>
          </StatusCard>
        );
      case 'unauthorized':
      case 'closed':
        return <StatusCard state="closed" title="Disconnected" />;
      default:
        return <StatusCard state="connecting" title="Connecting…" text={`Joining room ${roomId}`} spinner />;
    }
  }

  return <JoinedRoom session={session} room={room} roomId={roomId} selfId={selfId} status={status} now={now} />;
}

function ConnectionBanner({ status, now, onReconnect }: { status: ConnectionStatus; now: number; onReconnect: () => void }) {
  let text: string | null = null;
  let button: string | null = null;
  let state: string = status.kind;
  switch (status.kind) {
    case 'connected':
      return null;
    case 'resolving':
    case 'connecting':
      text = `Reconnecting… (attempt ${status.attempt})`;
      break;
    case 'waiting':
      text = `Disconnected: ${status.reason}. Reconnecting in ${secondsLeft(status, now)} s… (attempt ${status.attempt})`;
      button = 'Reconnect now';
      break;
    case 'failed':
      text = `Disconnected: ${status.reason}. Gave up reconnecting.`;
      button = 'Reconnect';
      break;
    case 'rejected':
      text = `Disconnected: ${status.reason}.`;
      button = 'Reconnect';
      break;
    case 'not_found':
      text = 'This room no longer exists.';
      state = 'not-found';
      break;
    default:
      text = 'Disconnected.';
  }
  return (
    <div className="banner" role="status" data-testid="connection-banner" data-state={state}>
      <span>{text}</span>
      {button && (
        <button type="button" className="btn btn-small" onClick={onReconnect} data-testid="reconnect-now">
          {button}
        </button>
      )}
    </div>
  );
}

type Row =
  | { kind: 'msg'; key: string; m: ChatMessage }
  | { kind: 'out'; key: string; o: OutboxItem };

function JoinedRoom(props: {
  session: RoomSession;
  room: RoomState;
  roomId: string;
  selfId: string;
  status: ConnectionStatus;
  now: number;
}) {
  const { session, room, roomId, selfId, status, now } = props;
  const [draft, setDraft] = useState('');
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const listRef = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const max = room.limits.maxMessageLength;
  const host = status.kind === 'connected' || status.kind === 'connecting' ? status.host : null;

  const rows: Row[] = useMemo(() => {
    const r: Row[] = room.messages.map((m, i) => ({ kind: 'msg', key: `m${i}-${m.ts}-${m.userId}`, m }));
    for (const o of room.outbox) r.push({ kind: 'out', key: o.localId, o });
    return r;
  }, [room.messages, room.outbox]);

  // auto-scroll to the newest unless the reader scrolled up
  useLayoutEffect(() => {
    const el = listRef.current;
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight;
  }, [rows, status.kind, room.notice]);

  function onScroll() {
    const el = listRef.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }

  function submit() {
    if (session.send(draft)) {
      setDraft('');
      stickToBottom.current = true;
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  }

  async function share() {
    const url = shareUrl(window.location.origin, roomId);
    try {
      await navigator.clipboard.writeText(url);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
    window.setTimeout(() => setCopied('idle'), 2500);
  }

  const tooLong = draft.length > max;
  const remaining = max - draft.length;

  return (
    <section className="card room" aria-labelledby="room-title" data-testid="room-page">
      <div className="room-header">
        <h1 id="room-title" className="room-title">
          Room: <span data-testid="room-id">{roomId}</span>
        </h1>
        <div className="room-actions">
          <button
            type="button"
            className="btn btn-ghost"
            onClick={share}
            aria-label="Copy share link"
            data-testid="share-link"
          >
            <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
              <path d="M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71" />
              <path d="M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71" />
            </svg>
            {copied === 'copied' ? 'Copied!' : copied === 'failed' ? 'Copy failed' : 'Share Link'}
          </button>
          <Link className="btn btn-ghost" to="/" data-testid="back-to-lobby">
            Back to Lobby
          </Link>
        </div>
      </div>
      <span className="visually-hidden" role="status">
        {copied === 'copied' ? 'Share link copied to the clipboard' : ''}
      </span>

      <div className="room-info">
        <div className="muted small" data-testid="room-host">
          {host ? `Connected to: ${host}` : 'Not connected'}
        </div>
        <div className="users">
          <span className="muted small" id="users-label">
            Users ({room.users.length}):
          </span>
          <ul className="pills" aria-labelledby="users-label" data-testid="user-list">
            {room.users.map((u) => (
              <li
                key={u}
                className={u === selfId ? 'pill pill-self' : 'pill'}
                data-testid="user-pill"
                data-user={u}
                aria-current={u === selfId ? 'true' : undefined}
              >
                {u}
                {u === selfId && <span className="visually-hidden"> (you)</span>}
              </li>
            ))}
          </ul>
        </div>
      </div>

      <ConnectionBanner status={status} now={now} onReconnect={() => session.reconnectNow()} />
      {room.notice && (
        <div className="banner banner-error" role="alert" data-testid="server-error">
          <span>{room.notice.message}</span>
          <button type="button" className="btn btn-small" onClick={() => session.dismissNotice()} aria-label="Dismiss error">
            ✕
          </button>
        </div>
      )}

      <div
        className="messages"
        ref={listRef}
        onScroll={onScroll}
        role="log"
        aria-live="polite"
        aria-label="Messages"
        data-testid="message-list"
        tabIndex={0}
      >
        {rows.length === 0 && <p className="muted center empty">No messages yet. Say hello!</p>}
        {rows.map((row) =>
          row.kind === 'msg' ? (
            <MessageBubble key={row.key} author={row.m.userId} text={row.m.msg} time={formatTime(row.m.ts)} own={row.m.userId === selfId} status="sent" />
          ) : (
            <MessageBubble
              key={row.key}
              author={selfId}
              text={row.o.text}
              time={formatTime(row.o.createdAt)}
              own
              status={row.o.status}
              error={row.o.error?.message}
              onRetry={() => session.retry(row.o.localId)}
              onDiscard={() => session.discard(row.o.localId)}
            />
          ),
        )}
      </div>

      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="composer-field">
          <label htmlFor="message-input" className="visually-hidden">
            Message
          </label>
          <textarea
            id="message-input"
            className="input textarea"
            rows={1}
            placeholder="Type your message..."
            value={draft}
            maxLength={max}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={onKeyDown}
            aria-describedby="composer-hint"
            aria-invalid={tooLong ? true : undefined}
            data-testid="message-input"
          />
          <div id="composer-hint" className={remaining < 50 ? 'counter counter-warn' : 'counter'}>
            {remaining < 100 ? `${remaining} characters left` : <span className="visually-hidden">Enter sends, Shift+Enter adds a line</span>}
          </div>
        </div>
        <button
          type="submit"
          className="btn btn-send"
          aria-label="Send message"
          disabled={draft.trim().length === 0 || tooLong}
          data-testid="send-message"
        >
          ➤
        </button>
      </form>
    </section>
  );
}

function MessageBubble(props: {
  author: string;
  text: string;
  time: string;
  own: boolean;
  status: 'sent' | 'sending' | 'queued' | 'failed';
  error?: string;
  onRetry?: () => void;
  onDiscard?: () => void;
}) {
  const { author, text, time, own, status } = props;
  return (
    <article
      className={`msg ${own ? 'msg-own' : ''} msg-${status}`}
      data-testid="message"
      data-author={author}
      data-status={status}
    >
      <header className="msg-head">
        <span className="msg-author" data-testid="message-author">
          {author}
        </span>
        {time && <time className="msg-time">{time}</time>}
      </header>
      <p className="msg-text" data-testid="message-text">
        {text}
      </p>
      {status === 'sending' && <p className="msg-state">sending…</p>}
      {status === 'queued' && <p className="msg-state">waiting for connection…</p>}
      {status === 'failed' && (
        <div className="msg-state msg-failed" role="alert">
          <span>Not sent{props.error ? `: ${props.error}` : ''}</span>
          <button type="button" className="link-btn" onClick={props.onRetry} aria-label={`Retry sending: ${text}`} data-testid="retry-message">
            Retry
          </button>
          <button type="button" className="link-btn" onClick={props.onDiscard} aria-label={`Discard message: ${text}`} data-testid="discard-message">
            Discard
          </button>
        </div>
      )}
    </article>
  );
}
