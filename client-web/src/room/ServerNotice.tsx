import type { ServerError } from '../protocol';

/** An error the server sent that belongs to no message of ours, until dismissed. */
export function ServerNotice(props: { notice: ServerError | null; onDismiss: () => void }) {
  const { notice, onDismiss } = props;
  if (!notice) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="server-error">
      <span>{notice.message}</span>
      <button
        type="button"
        className="btn btn-small"
        onClick={onDismiss}
        aria-label="Dismiss error"
      >
        ✕
      </button>
    </div>
  );
}
