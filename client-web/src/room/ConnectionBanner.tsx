import type { ConnectionStatus } from '../session';
import { bannerView } from './connectionStatusView';
import { useNow } from './useNow';

/** The connection's state over the room once joined; nothing while connected. */
export function ConnectionBanner(props: { status: ConnectionStatus; onReconnect: () => void }) {
  const { status, onReconnect } = props;
  const now = useNow(status.kind === 'waiting'); // the countdown
  const view = bannerView(status, now);
  if (!view) return null;
  return (
    <div className="banner" role="status" data-testid="connection-banner" data-state={view.state}>
      <span>{view.text}</span>
      {view.button && (
        <button
          type="button"
          className="btn btn-small"
          onClick={onReconnect}
          data-testid="reconnect-now"
        >
          {view.button}
        </button>
      )}
    </div>
  );
}
