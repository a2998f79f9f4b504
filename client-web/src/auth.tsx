import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { userIdFromToken } from './protocol';

const TOKEN_KEY = 'scalable-chat.token';
const USER_KEY = 'scalable-chat.userId';

export interface Auth {
  token: string | null;
  userId: string | null;
  setSession: (token: string, userId: string) => void;
  logout: () => void;
}

const AuthContext = createContext<Auth | null>(null);

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function loadInitial(): { token: string | null; userId: string | null } {
  const token = read(TOKEN_KEY);
  if (!token) return { token: null, userId: null };
  const userId = userIdFromToken(token) ?? read(USER_KEY);
  return userId ? { token, userId } : { token: null, userId: null };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState(loadInitial);

  const setSession = useCallback((token: string, userId: string) => {
    const id = userIdFromToken(token) ?? userId;
    try {
      localStorage.setItem(TOKEN_KEY, token);
      localStorage.setItem(USER_KEY, id);
    } catch {
      /* private mode: keep it in memory only */
    }
    setState({ token, userId: id });
  }, []);

  const logout = useCallback(() => {
    try {
      localStorage.removeItem(TOKEN_KEY);
      localStorage.removeItem(USER_KEY);
    } catch {
      /* ignore */
    }
    setState({ token: null, userId: null });
  }, []);

  const value = useMemo(() => ({ ...state, setSession, logout }), [state, setSession, logout]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
