import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <section className="card card-narrow status-card" data-testid="page-not-found" aria-labelledby="nf-title">
      <div className="status-icon" aria-hidden="true">404</div>
      <h1 id="nf-title">Page Not Found</h1>
      <p className="muted">There is nothing at this address.</p>
      <Link className="btn btn-primary" to="/" data-testid="go-home">
        Go to the lobby
      </Link>
    </section>
  );
}
