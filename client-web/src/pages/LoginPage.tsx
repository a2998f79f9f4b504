import { useState, type FormEvent } from 'react';
import { ApiError, login } from '../api';
import { useAuth } from '../auth';
import { MAX_USERNAME_LENGTH, validateUsername } from '../username';

export function LoginPage() {
  const { setSession } = useAuth();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const check = validateUsername(name);
    if (!check.ok) {
      setError(check.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const token = await login(check.value);
      setSession(token, check.value);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'Cannot reach the server. Please try again.');
      setBusy(false);
    }
  }

  return (
    <section className="card card-narrow" aria-labelledby="login-title" data-testid="login-page">
      <h1 id="login-title">Scalable Chat</h1>
      <p className="muted center">Choose a username to start chatting</p>
      <form onSubmit={onSubmit} noValidate className="stack">
        <label htmlFor="username" className="label">
          Username
        </label>
        <input
          id="username"
          name="username"
          className="input"
          autoComplete="username"
          autoFocus
          maxLength={MAX_USERNAME_LENGTH * 2}
          placeholder="Enter your username"
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            if (error) setError(null);
          }}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'login-error' : undefined}
          data-testid="username"
        />
        {error && (
          <p id="login-error" className="error-text" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="login-submit">
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </section>
  );
}
