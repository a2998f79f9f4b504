import { Link } from 'react-router-dom';
import type { StatusCardView } from './connectionStatusView';

/** The full-page card shown until the first snapshot (`data-testid="room-status"`). */
export function RoomStatusCard(props: { view: StatusCardView; onAction?: () => void }) {
  const { view, onAction } = props;
  return (
    <section
      className="card card-narrow status-card"
      data-testid="room-status"
      data-state={view.state}
      aria-live="polite"
      aria-busy={view.spinner ? true : undefined}
    >
      {view.spinner && <div className="spinner" aria-hidden="true" />}
      <h1>{view.title}</h1>
      {view.text && <p className="muted">{view.text}</p>}
      {view.note && (
        <p className="muted" data-testid="pending-note">
          {view.note}
        </p>
      )}
      <div className="row center-row">
        {view.action && (
          <button
            type="button"
            className="btn btn-primary"
            onClick={onAction}
            data-testid={view.action.testId}
          >
            {view.action.label}
          </button>
        )}
        <Link className="btn btn-secondary" to="/" data-testid="back-to-lobby">
          Back to Lobby
        </Link>
      </div>
    </section>
  );
}
