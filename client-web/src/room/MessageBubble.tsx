import type { OutboxStatus } from '../roomState';

/**
 * One message. The user's own unconfirmed ones say where they stand; a refused
 * one offers Retry and Discard.
 */
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
          <TextButton
            onClick={props.onRetry}
            label={`Retry sending: ${text}`}
            testId="retry-message"
          >
            Retry
          </TextButton>
          <TextButton
            onClick={props.onDiscard}
            label={`Discard message: ${text}`}
            testId="discard-message"
          >
            Discard
          </TextButton>
        </div>
      )}
    </article>
  );
}

function TextButton(props: {
  onClick?: () => void;
  label: string;
  testId: string;
  children: string;
}) {
  return (
    <button
      type="button"
      className="link-btn"
      onClick={props.onClick}
      aria-label={props.label}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}
