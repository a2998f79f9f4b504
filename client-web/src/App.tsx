import { Route, Routes } from 'react-router-dom';
import { useAuth } from './auth';
import { Layout } from './pages/Layout';
import { LobbyPage } from './pages/LobbyPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RoomPage } from './pages/RoomPage';

/** Renders the login page in place when logged out, so the URL (e.g. a share link) survives login. */
function RequireLogin({ children }: { children: React.ReactNode }) {
  const { token } = useAuth();
  return token ? <>{children}</> : <LoginPage />;
}

export function App() {
  return (
    <Layout>
      <Routes>
        <Route
          path="/"
          element={
            <RequireLogin>
              <LobbyPage />
            </RequireLogin>
          }
        />
        <Route
          path="/room/:roomId"
          element={
            <RequireLogin>
              <RoomPage />
            </RequireLogin>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Routes>
    </Layout>
  );
}
