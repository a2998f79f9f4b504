import type { OutboxStatus } from '../roomState';

/** One message; the user's own unconfirmed ones say where they stand, a refused one offers Retry / Discard. */
export function MessageBubble(props: {
  author: string;
  text: string;
  time: string;
  own: boolean;
  status: 'sent' | OutboxStatus;
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
          <button
            type="button"
            className="link-btn"
            onClick={props.onRetry}
            aria-label={`Retry sending: ${text}`}
            data-testid="retry-message"
          >
            Retry
          </button>
          <button
            type="button"
            className="link-btn"
            onClick={props.onDiscard}
            aria-label={`Discard message: ${text}`}
            data-testid="discard-message"
          >
            Discard
          </button>
        </div>
      )}
    </article>
  );
}
