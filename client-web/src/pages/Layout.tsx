import type { ReactNode } from 'react';
import { useAuth } from '../auth';

export function Layout({ children }: { children: ReactNode }) {
  const { userId, logout } = useAuth();
  return (
    <div className="app">
      {userId && (
        <header className="topbar" role="banner">
          <span className="topbar-user" data-testid="current-user">
            Logged in as: <strong>{userId}</strong>
          </span>
          <button type="button" className="btn btn-ghost" onClick={logout} aria-label="Log out" data-testid="logout">
            Logout
          </button>
        </header>
      )}
      <main className="main">{children}</main>
    </div>
  );
}
