import type { ConnectionStatus } from '../session';
import { bannerView } from './connectionStatusView';
import { useNow } from './useNow';

/** The connection's state over the room once joined; nothing while connected, but "back" for a moment. */
export function ConnectionBanner(props: { status: ConnectionStatus; onReconnect: () => void }) {
  const { status, onReconnect } = props;
  // ticks for the countdown, and until "back" is taken down again
  const backShown = status.kind === 'connected' && bannerView(status, Date.now()) !== null;
  const now = useNow(status.kind === 'waiting' || backShown);
  const view = bannerView(status, now);
  if (!view) return null;
  return (
    <div
      className={view.state === 'back' ? 'banner banner-ok' : 'banner'}
      role="status"
      data-testid="connection-banner"
      data-state={view.state}
    >
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
