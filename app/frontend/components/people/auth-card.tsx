'use client';
import type { ReactNode } from 'react';
import { ThemeToggle } from '../theme.tsx';

/** The signed-out card layout of the sign-in page, for the link pages (invite, reset). */
export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-theme">
        <ThemeToggle compact />
      </div>
      <div className="auth-card">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true">
            P
          </span>
          <span className="brand-name">PMS</span>
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
