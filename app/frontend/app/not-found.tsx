import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="centered-page">
      <div className="empty">
        <div className="empty-icon" aria-hidden="true">
          404
        </div>
        <h1 className="empty-title">Page not found</h1>
        <p className="empty-text">The page you were looking for does not exist or was moved.</p>
        <Link className="btn btn-primary" href="/projects">
          Go to projects
        </Link>
      </div>
    </main>
  );
}
