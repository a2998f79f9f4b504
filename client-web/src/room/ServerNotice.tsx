import type { ServerError } from '../protocol';

/** An error the server sent that belongs to no message of ours, until dismissed. */
export function ServerNotice({ notice, onDismiss }: { notice: ServerError | null; onDismiss: () => void }) {
  if (!notice) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="server-error">
      <span>{notice.message}</span>
      <button type="button" className="btn btn-small" onClick={onDismiss} aria-label="Dismiss error">
        ✕
      </button>
    </div>
  );
}
