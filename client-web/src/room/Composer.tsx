import { useState, type KeyboardEvent } from 'react';
import { draftStatus, isSendKey } from './draft';

/**
 * The message box and its send button. `onSend` returns false when the text
 * was not taken (the draft then stays); `maxLength` is the room's limit.
 */
export function Composer(props: { maxLength: number; onSend: (text: string) => boolean }) {
  const { maxLength, onSend } = props;
  const [draft, setDraft] = useState('');
  const status = draftStatus(draft, maxLength);

  function submit() {
    if (onSend(draft)) setDraft('');
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (isSendKey({ key: e.key, shiftKey: e.shiftKey, isComposing: e.nativeEvent.isComposing })) {
      e.preventDefault();
      submit();
    }
  }

  return (
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
          maxLength={maxLength}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          aria-describedby="composer-hint"
          aria-invalid={status.tooLong ? true : undefined}
          data-testid="message-input"
        />
        <div id="composer-hint" className={status.warn ? 'counter counter-warn' : 'counter'}>
          {status.showCount ? (
            `${status.remaining} characters left`
          ) : (
            <span className="visually-hidden">Enter sends, Shift+Enter adds a line</span>
          )}
        </div>
      </div>
      <button
        type="submit"
        className="btn btn-send"
        aria-label="Send message"
        disabled={!status.canSend}
        data-testid="send-message"
      >
        ➤
      </button>
    </form>
  );
}
