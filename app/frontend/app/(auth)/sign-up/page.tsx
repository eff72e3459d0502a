import type { Metadata } from 'next';
import { Suspense } from 'react';
import { AuthForm } from '@/components/auth/auth-form.tsx';

export const metadata: Metadata = { title: 'Create account' };

export default function SignUpPage() {
  return (
    <Suspense fallback={<main className="auth-page" aria-busy="true" />}>
      <AuthForm mode="sign-up" />
    </Suspense>
  );
}
