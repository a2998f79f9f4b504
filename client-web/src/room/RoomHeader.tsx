import { Link } from 'react-router-dom';
import { useCopyShareLink } from './useCopyShareLink';

const SHARE_BUTTON_LABEL = {
  idle: 'Share Link',
  copied: 'Copied!',
  failed: 'Copy failed',
} as const;

/** The room's name, its share link, and the way back to the lobby. */
export function RoomHeader({ roomId }: { roomId: string }) {
  const share = useCopyShareLink(roomId);
  return (
    <>
      <div className="room-header">
        <h1 id="room-title" className="room-title">
          Room: <span data-testid="room-id">{roomId}</span>
        </h1>
        <div className="room-actions">
          <button
            type="button"
            className="btn btn-ghost"
            onClick={share.copy}
            aria-label="Copy share link"
            data-testid="share-link"
          >
            <LinkIcon />
            {SHARE_BUTTON_LABEL[share.state]}
          </button>
          <Link className="btn btn-ghost" to="/" data-testid="back-to-lobby">
            Back to Lobby
          </Link>
        </div>
      </div>
      <span className="visually-hidden" role="status">
        {share.state === 'copied' ? 'Share link copied to the clipboard' : ''}
      </span>
    </>
  );
}

function LinkIcon() {
  return (
    <svg
      aria-hidden="true"
      width="18"
      height="18"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d="M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71" />
      <path d="M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71" />
    </svg>
  );
}
