import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { ApiError, UnauthorizedError, createRoom } from '../api';
import { useAuth } from '../auth';
import { roomIdFromInput } from '../roomLink';

export function LobbyPage() {
  const { token, logout } = useAuth();
  const navigate = useNavigate();
  const [roomInput, setRoomInput] = useState('');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function onCreate() {
    if (!token) return;
    setCreating(true);
    setError(null);
    try {
      const roomId = await createRoom(token);
      navigate(`/room/${encodeURIComponent(roomId)}`);
    } catch (err) {
      if (err instanceof UnauthorizedError) {
        logout();
        return;
      }
      if (err instanceof ApiError) {
        setError(err.retryAfter ? `${err.message} (try again in ${err.retryAfter} s)` : err.message);
      } else setError('Cannot reach the server. Please try again.');
      setCreating(false);
    }
  }

  function onJoin(e: FormEvent) {
    e.preventDefault();
    const id = roomIdFromInput(roomInput);
    if (!id) return;
    navigate(`/room/${encodeURIComponent(id)}`);
  }

  return (
    <section className="card card-narrow" aria-labelledby="lobby-title" data-testid="lobby-page">
      <h1 id="lobby-title">Lobby</h1>
      <h2>Start a New Room</h2>
      <div className="center">
        <button
          type="button"
          className="btn btn-primary"
          onClick={onCreate}
          disabled={creating}
          data-testid="create-room"
        >
          {creating ? 'Creating…' : 'Create Room'}
        </button>
      </div>
      {error && (
        <p className="error-text center" role="alert" data-testid="lobby-error">
          {error}
        </p>
      )}
      <h2>Join Existing Room</h2>
      <form className="row" onSubmit={onJoin}>
        <label htmlFor="room-id" className="visually-hidden">
          Room ID
        </label>
        <input
          id="room-id"
          className="input grow"
          placeholder="Enter Room ID"
          autoComplete="off"
          value={roomInput}
          onChange={(e) => setRoomInput(e.target.value)}
          data-testid="join-room-id"
        />
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!roomIdFromInput(roomInput)}
          aria-label="Join room"
          data-testid="join-room"
        >
          Join
        </button>
      </form>
    </section>
  );
}
